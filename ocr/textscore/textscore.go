package textscore

import "strings"

// Normalize collapses whitespace runs to one space and trims.
func Normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// EditDistance is the Levenshtein distance between a and b on characters
// (runes), and the length of b in characters.
func EditDistance(a, b string) (dist, lenB int) {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := prev[j-1]
			if ra[i-1] != rb[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)], len(rb)
}

// CER is the character error rate of got against the truth want, both
// normalised (an empty truth counts as one character).
func CER(got, want string) float64 {
	d, n := EditDistance(Normalize(got), Normalize(want))
	return float64(d) / float64(max(1, n))
}

// WordRecall is the share of want's words (whitespace-separated, as bags:
// order does not count, repeats do) that got contains.
func WordRecall(got, want string) float64 {
	have := map[string]int{}
	for _, w := range strings.Fields(got) {
		have[w]++
	}
	total, found := 0, 0
	for _, w := range strings.Fields(want) {
		total++
		if have[w] > 0 {
			have[w]--
			found++
		}
	}
	if total == 0 {
		return 1
	}
	return float64(found) / float64(total)
}
