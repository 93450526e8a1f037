package barcode

import (
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	mqrdet "github.com/makiuchi-d/gozxing/multi/qrcode/detector"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// readQR reads the QR codes in im. Every set of three finder patterns that
// gozxing's multi-code finder reports is decoded with ZXing's transform and,
// when that fails, with a fitted grid (qrfit.go); when none decodes, the
// single-code selection among the same candidates gets the same two tries.
func readQR(im qrImage, hints map[gozxing.DecodeHintType]interface{}) []*gozxing.Result {
	bm := im.bm
	var out []*gozxing.Result
	mf := mqrdet.NewMultiFinderPatternFinder(bm, nil)
	infos, err := safeInfos(func() ([]*detector.FinderPatternInfo, error) { return mf.FindMulti(hints) })
	if err == nil {
		for _, info := range infos {
			if r := decodeQRInfo(im, info, hints); r != nil {
				out = append(out, r)
			}
		}
	}
	if len(out) > 0 || len(mf.GetPossibleCenters()) < 3 {
		return out
	}
	// The single-code choice among the same candidate centres: it picks
	// differently (best-confirmed patterns of similar size) and finds
	// small codes the multi-code selection drops.
	best, err := safeInfos(func() ([]*detector.FinderPatternInfo, error) {
		fps, err := mf.SelectBestPatterns()
		if err != nil {
			return nil, err
		}
		bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(fps[0], fps[1], fps[2])
		return []*detector.FinderPatternInfo{detector.NewFinderPatternInfo(bl.(*detector.FinderPattern), tl.(*detector.FinderPattern), tr.(*detector.FinderPattern))}, nil
	})
	if err != nil || len(best) == 0 || sameInfo(best[0], infos) {
		return out
	}
	if r := decodeQRInfo(im, best[0], hints); r != nil {
		out = append(out, r)
	}
	return out
}

// decodeQRInfo decodes the code of one finder-pattern triple.
func decodeQRInfo(im qrImage, info *detector.FinderPatternInfo, hints map[gozxing.DecodeHintType]interface{}) (res *gozxing.Result) {
	defer func() {
		if p := recover(); p != nil {
			res = nil // a port of Java code: a malformed image must not panic the engine
		}
	}()
	dr, err := detector.NewDetector(im.bm).ProcessFinderPatternInfo(info)
	if err != nil {
		return nil
	}
	pts := dr.GetPoints()
	dec, err := decoder.NewDecoder().Decode(dr.GetBits(), hints)
	if err != nil {
		var align gozxing.ResultPoint
		if len(pts) > 3 {
			align = pts[3]
		}
		dec, pts = decodeQRFitted(im, info.GetTopLeft(), info.GetTopRight(), info.GetBottomLeft(), align, dr.GetBits().GetWidth(), hints)
		if dec == nil {
			return nil
		}
	}
	return qrResult(dec, pts)
}

func qrResult(dec *common.DecoderResult, pts []gozxing.ResultPoint) *gozxing.Result {
	if md, ok := dec.GetOther().(*decoder.QRCodeDecoderMetaData); ok && len(pts) >= 3 {
		md.ApplyMirroredCorrection(pts)
	}
	return gozxing.NewResult(dec.GetText(), dec.GetRawBytes(), pts, gozxing.BarcodeFormat_QR_CODE)
}

func sameInfo(a *detector.FinderPatternInfo, list []*detector.FinderPatternInfo) bool {
	near := func(p, q gozxing.ResultPoint) bool {
		return p.GetX() == q.GetX() && p.GetY() == q.GetY()
	}
	for _, b := range list {
		if near(a.GetTopLeft(), b.GetTopLeft()) && near(a.GetTopRight(), b.GetTopRight()) && near(a.GetBottomLeft(), b.GetBottomLeft()) {
			return true
		}
	}
	return false
}

func safeInfos(f func() ([]*detector.FinderPatternInfo, error)) (r []*detector.FinderPatternInfo, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, gozxing.NewFormatException("finder panic")
		}
	}()
	return f()
}
