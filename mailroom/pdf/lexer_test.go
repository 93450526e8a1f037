package pdf

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestLexerObjects(t *testing.T) {
	l := NewLexer([]byte(`<< /A#20B (a\)b\n\101\
c) /H <48 65 6c6> /Arr [1 2 0 R 3.5 -4 +7 .5] /T true /F false /N null /K << /X /Y >> >> % comment
endobj`))
	o, err := l.Value()
	if err != nil {
		t.Fatal(err)
	}
	want := Dict{
		"A B": String("a)b\nAc"),
		"H":   String("Hel`"),
		"Arr": Array{int64(1), Ref{2, 0}, float64(3.5), int64(-4), int64(7), float64(0.5)},
		"T":   true,
		"F":   false,
		"K":   Dict{"X": Name("Y")},
	}
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("got  %#v\nwant %#v", o, want)
	}
	if tok, err := l.Token(); err != nil || tok != Keyword("endobj") {
		t.Fatalf("after the object: %v %v", tok, err)
	}
	if _, err := l.Token(); !errors.Is(err, ErrEOF) {
		t.Fatalf("at the end: %v, want ErrEOF", err)
	}
}

func TestLexerBounds(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2)
	if _, err := NewLexer([]byte(deep)).Value(); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("arrays nested %d deep: %v, want refused", maxDepth+2, err)
	}
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := NewLexer([]byte(ok)).Value(); err != nil {
		t.Fatalf("arrays nested %d deep: %v", maxDepth, err)
	}
	for _, bad := range []string{"(open", "<4142", "<< /A 1", "[1 2", "<zz>", ">", ")", "<< 1 2 >>"} {
		if _, err := NewLexer([]byte(bad)).Value(); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	in := Dict{"Type": Name("X Y#"), "S": String("\x00(ä)"), "A": Array{int64(-3), float64(0.125), true, nil, Ref{7, 1}},
		"D": Dict{"Z": int64(1)}}
	buf := new(bytes.Buffer)
	if err := Write(buf, in); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "<< /A [-3 0.125 true null 7 1 R] /D << /Z 1 >> /S <0028c3a429> /Type /X#20Y#23 >>" {
		t.Fatalf("serialised as %s", got)
	}
	o, err := NewLexer(buf.Bytes()).Value()
	if err != nil {
		t.Fatal(err)
	}
	// null array elements stay; the lexer drops nothing but null dictionary values.
	if !reflect.DeepEqual(o, in) {
		t.Fatalf("read back %#v\nwant %#v", o, in)
	}
	buf.Reset()
	if err := WriteDirect(buf, in); err == nil {
		t.Fatal("WriteDirect copied a reference")
	}
}

func TestTextStrings(t *testing.T) {
	for _, s := range []string{"transfervermerk.xml", "Müller 𝄞", ""} {
		o, err := NewLexer([]byte(TextString(s))).Value()
		if err != nil {
			t.Fatal(err)
		}
		if got := Text(o.(String)); got != s {
			t.Errorf("TextString(%q) reads back as %q", s, got)
		}
		o, err = NewLexer([]byte(UTF16TextString(s))).Value()
		if err != nil {
			t.Fatal(err)
		}
		if got := Text(o.(String)); got != s {
			t.Errorf("UTF16TextString(%q) reads back as %q", s, got)
		}
	}
	if got := TextString("abc"); got != "<616263>" {
		t.Errorf("ASCII text string %s", got)
	}
}
