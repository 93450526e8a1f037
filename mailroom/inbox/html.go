package inbox

import (
	"html"
	"regexp"
	"strings"
)

var (
	reDropBlocks = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(script|style|head|title)\s*>`)
	reBreaks     = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6]|/table|/ul|/ol|p|div|li|tr|h[1-6])\b[^>]*>`)
	reCells      = regexp.MustCompile(`(?i)</t[dh]\s*>`)
	reTags       = regexp.MustCompile(`(?s)<[^>]*>`)
	reComments   = regexp.MustCompile(`(?s)<!--.*?-->`)
	reSpaces     = regexp.MustCompile(`[ \t\x{00a0}]+`)
	reBlank      = regexp.MustCompile(`\n\s*\n(\s*\n)+`)
)

// HTMLToText renders HTML as plain text for the rendition: scripts, styles
// and tags removed, block ends as line breaks, entities decoded.
func HTMLToText(s string) string {
	s = reComments.ReplaceAllString(s, "")
	s = reDropBlocks.ReplaceAllString(s, "")
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	s = reBreaks.ReplaceAllString(s, "\n")
	s = reCells.ReplaceAllString(s, "\t")
	s = reTags.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = reSpaces.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = strings.Join(lines, "\n")
	s = reBlank.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}
