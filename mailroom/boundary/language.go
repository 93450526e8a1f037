package boundary

import (
	"strings"
	"unicode"
)

// Function words of German and English (words both languages share, such as
// "in", are left out), and German spelling: a word with ä, ö, ü or ß counts
// as German (tables and forms carry few function words but many such
// words). A page's language is the one with most of the hits.
var (
	germanWords = set("der", "die", "das", "und", "ist", "nicht", "mit", "von", "für", "den", "dem", "des", "ein",
		"eine", "einen", "zu", "auf", "wir", "sie", "ich", "bei", "im", "sich", "auch", "werden", "wird", "oder",
		"nach", "aus", "zur", "zum", "über", "ihre", "ihr", "bitte", "sind", "haben", "wurde", "vom", "dass")
	englishWords = set("the", "and", "of", "to", "is", "that", "it", "with", "for", "was", "on", "as", "are", "be",
		"this", "by", "not", "at", "from", "his", "her", "have", "had", "which", "were", "they", "their", "you",
		"your", "would", "there", "been", "has", "or", "she", "he", "we")
)

// Language detection needs this many function words on a page, and one
// language must have this share of them.
const (
	minLanguageHits  = 8
	minLanguageShare = 0.75
)

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// language returns "de", "en" or "" (too little running text to tell).
func language(ls []line) string {
	de, en := 0, 0
	for _, l := range ls {
		for _, w := range strings.FieldsFunc(l.lower, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if germanWords[w] || strings.ContainsAny(w, "äöüß") {
				de++
			} else if englishWords[w] {
				en++
			}
		}
	}
	total := de + en
	switch {
	case total < minLanguageHits:
		return ""
	case float64(de) >= minLanguageShare*float64(total):
		return "de"
	case float64(en) >= minLanguageShare*float64(total):
		return "en"
	}
	return ""
}
