package hostiletest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// pngFile is a PNG with the given header whose pixel rows (filter byte 0,
// then row bytes of zeros) are compressed in one IDAT chunk.
func pngFile(w, h uint32, depth, colorType byte, rowBytes int64) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, colorType
	pngChunk(&b, "IHDR", ihdr)
	rows := int64(h)
	if rowBytes*rows > 4<<30 {
		rows = 1 // a dimension bomb: the header is what matters
	}
	pngChunk(&b, "IDAT", deflate(func(zw io.Writer) { repeat(zw, make([]byte, 1+rowBytes), (1+rowBytes)*rows) }))
	pngChunk(&b, "IEND", nil)
	return b.Bytes()
}

func pngChunk(b *bytes.Buffer, typ string, data []byte) {
	binary.Write(b, binary.BigEndian, uint32(len(data)))
	c := crc32.NewIEEE()
	c.Write([]byte(typ))
	c.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.Write(b, binary.BigEndian, c.Sum32())
}

// jpegHeader is the start of a baseline JPEG declaring w×h: enough for a
// decoder to read its size, nothing to decode.
func jpegHeader(w, h uint16) []byte {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 0, 200, 0, 200, 0, 0})
	b.Write([]byte{0xFF, 0xC0, 0, 11, 8})
	binary.Write(&b, binary.BigEndian, h)
	binary.Write(&b, binary.BigEndian, w)
	b.Write([]byte{1, 1, 0x11, 0, 0xFF, 0xD9})
	return b.Bytes()
}

// tiffSpec is one page of a generated TIFF.
type tiffSpec struct {
	w, h        uint32
	bps, spp    uint16
	compression uint16 // 1 none, 8 deflate
	photometric uint16 // 0 white is zero (bilevel), 1 black is zero, 2 RGB
}

// tiffFile writes pages IFDs in a chain, all pointing at one strip.
func tiffFile(spec tiffSpec, pages int, strip []byte) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("II*\x00")
	binary.Write(&b, le, uint32(8+len(strip)+len(strip)%2+8)) // header, strip, rational, then the IFDs
	b.Write(strip)
	if len(strip)%2 == 1 {
		b.WriteByte(0)
	}
	stripOff := uint32(8)
	res := uint32(b.Len()) // one rational: 300/1, shared
	binary.Write(&b, le, [2]uint32{300, 1})
	for p := 0; p < pages; p++ {
		entries := [][3]uint32{ // tag, type, value
			{256, 4, spec.w}, {257, 4, spec.h}, {258, 3, uint32(spec.bps)}, {259, 3, uint32(spec.compression)},
			{262, 3, uint32(spec.photometric)}, {273, 4, stripOff}, {277, 3, uint32(spec.spp)},
			{278, 4, spec.h}, {279, 4, uint32(len(strip))}, {282, 5, res}, {283, 5, res}, {296, 3, 2},
		}
		binary.Write(&b, le, uint16(len(entries)))
		for _, e := range entries {
			binary.Write(&b, le, uint16(e[0]))
			binary.Write(&b, le, uint16(e[1]))
			binary.Write(&b, le, uint32(1))
			if e[1] == 3 {
				binary.Write(&b, le, [2]uint16{uint16(e[2]), 0})
			} else {
				binary.Write(&b, le, e[2])
			}
		}
		next := uint32(0)
		if p+1 < pages {
			next = uint32(b.Len() + 4)
		}
		binary.Write(&b, le, next)
	}
	return b.Bytes()
}
