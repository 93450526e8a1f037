package ocrcache

import (
	"context"
	"image"
	"strconv"
	"testing"

	"poststelle/mailroom"
)

type counting struct{ calls int }

func (c *counting) Recognize(ctx context.Context, p mailroom.Page) (mailroom.PageText, error) {
	c.calls++
	g, ok := p.Image.(*image.Gray)
	if !ok {
		return mailroom.PageText{}, nil
	}
	txt := "Seite " + strconv.Itoa(int(g.Pix[0]))
	return mailroom.PageText{Text: txt, Words: []mailroom.Word{{Text: txt}}}, nil
}

func gray(v uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range g.Pix {
		g.Pix[i] = v
	}
	return g
}

func TestSameImageRecognisedOnce(t *testing.T) {
	next := &counting{}
	c := New(next, 0)
	ctx := context.Background()
	a, err := c.Recognize(ctx, mailroom.Page{Image: gray(1), DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	a.Words[0].Text = "changed by the caller"
	b, _ := c.Recognize(ctx, mailroom.Page{Image: gray(1), DPI: 300}) // equal pixels, another image
	if next.calls != 1 || b.Text != "Seite 1" || b.Words[0].Text != "Seite 1" {
		t.Fatalf("calls %d, second result %+v", next.calls, b)
	}
	c.Recognize(ctx, mailroom.Page{Image: gray(2), DPI: 300})
	c.Recognize(ctx, mailroom.Page{Image: gray(1), DPI: 150}) // other resolution: other key
	sub := gray(1).SubImage(image.Rect(0, 0, 20, 30)).(*image.Gray)
	c.Recognize(ctx, mailroom.Page{Image: sub, DPI: 300}) // other size
	if next.calls != 4 {
		t.Fatalf("calls %d, want 4 (two other images, one other resolution, one other size)", next.calls)
	}
	if h, m := c.Stats(); h != 1 || m != 4 {
		t.Errorf("stats %d hits %d misses", h, m)
	}
	// Other image types pass through, uncached.
	for i := 0; i < 2; i++ {
		c.Recognize(ctx, mailroom.Page{Image: image.NewGray16(image.Rect(0, 0, 2, 2)), DPI: 300})
	}
	if next.calls != 6 {
		t.Errorf("calls %d after two 16-bit images, want 6", next.calls)
	}
}

func TestBudgetForgetsLeastRecentlyUsed(t *testing.T) {
	next := &counting{}
	c := New(next, 3*(64+64+7+7)) // three entries
	ctx := context.Background()
	for v := uint8(1); v <= 4; v++ {
		c.Recognize(ctx, mailroom.Page{Image: gray(v), DPI: 300})
	}
	c.Recognize(ctx, mailroom.Page{Image: gray(4), DPI: 300}) // kept
	c.Recognize(ctx, mailroom.Page{Image: gray(1), DPI: 300}) // forgotten
	if next.calls != 5 {
		t.Fatalf("calls %d, want 5", next.calls)
	}
}
