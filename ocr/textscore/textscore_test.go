package textscore

import "testing"

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b    string
		d, lenB int
	}{
		{"", "", 0, 0},
		{"kitten", "sitting", 3, 7},
		{"Straße", "Strasse", 2, 7},
		{"abc", "", 3, 0},
		{"", "äöü", 3, 3},
	} {
		if d, n := EditDistance(c.a, c.b); d != c.d || n != c.lenB {
			t.Errorf("EditDistance(%q, %q) = %d, %d; want %d, %d", c.a, c.b, d, n, c.d, c.lenB)
		}
	}
}

func TestCER(t *testing.T) {
	if c := CER(" The  quick\n brown fox ", "The quick brown fox"); c != 0 {
		t.Errorf("whitespace counts: CER %v", c)
	}
	if c := CER("The quick brown f0x", "The quick brown fox"); c != 1.0/19 {
		t.Errorf("one substitution in 19 characters: CER %v", c)
	}
	if c := CER("x", ""); c != 1 {
		t.Errorf("empty truth: CER %v", c)
	}
}
