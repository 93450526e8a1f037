package fp
import ("testing";"path/filepath";"time"
fitz "github.com/gen2brain/go-fitz")
func TestBad(t *testing.T){
 files,_:=filepath.Glob("/work/shared/corpus/badpdf/*.pdf")
 files=append(files,"/work/shared/corpus/paperless_barcodes/negative/password-is-test.pdf","/work/shared/corpus/ocrmypdf/invalid.pdf","/work/shared/corpus/paperless_barcodes/patch-code-t-middle.tiff")
 for _,f:=range files{
  st:=time.Now()
  d,err:=fitz.New(f)
  if err!=nil {t.Logf("%s: open err %v",filepath.Base(f),err); continue}
  n:=d.NumPage()
  var e2 error
  if n>0 { b,_:=d.Bound(0); _,e2=d.ImageDPI(0,72); t.Logf("%s: n=%d bound=%v err=%v %v",filepath.Base(f),n,b,e2,time.Since(st))} else {t.Logf("%s n=0",f)}
  d.Close()
 }
}
