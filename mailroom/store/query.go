package store

import (
	"context"
	"strings"
)

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// queryAll runs q and scans every row with scan.
func queryAll[T any](ctx context.Context, s *Store, q string, args []any, scan func(rowScanner) (T, error)) ([]T, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// inList returns " AND col IN (?,…)" and its arguments, or nothing for no values.
func inList[S ~string](col string, vals []S) (string, []any) {
	if len(vals) == 0 {
		return "", nil
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = string(v)
	}
	return ` AND ` + col + ` IN (?` + strings.Repeat(",?", len(vals)-1) + `)`, args
}
