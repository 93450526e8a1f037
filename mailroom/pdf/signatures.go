package pdf

// Signature is a signature field's value: /ByteRange and the raw bytes of
// /Contents (usually a DER CMS structure with zero padding).
type Signature struct {
	ByteRange [4]int64
	Contents  []byte
}

// Signatures returns the signatures of the form fields (/AcroForm
// /Fields whose /V has /Type /Sig or whose /FT is /Sig), in field order.
// A signature without a four-number /ByteRange is an error.
func (r *Reader) Signatures() ([]Signature, error) {
	root, _, err := r.Catalog()
	if err != nil {
		return nil, err
	}
	form, err := r.optDict(root["AcroForm"])
	if err != nil {
		return nil, err
	}
	fo, err := r.Resolve(form["Fields"])
	if err != nil {
		return nil, err
	}
	fields, _ := fo.(Array)
	var out []Signature
	for _, f := range fields {
		s, ok, err := r.fieldSignature(f)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}

func (r *Reader) fieldSignature(f any) (Signature, bool, error) {
	var s Signature
	field, err := r.optDict(f)
	if err != nil {
		return s, false, err
	}
	v, err := r.optDict(field["V"])
	if err != nil {
		return s, false, err
	}
	if v["Type"] != Name("Sig") && field["FT"] != Name("Sig") {
		return s, false, nil
	}
	bo, err := r.Resolve(v["ByteRange"])
	if err != nil {
		return s, false, err
	}
	br, _ := bo.(Array)
	if len(br) != 4 {
		return s, false, errorf("signature without /ByteRange")
	}
	for k := range br {
		n, err := r.Resolve(br[k])
		if err != nil {
			return s, false, err
		}
		s.ByteRange[k], _ = n.(int64)
	}
	c, err := r.Resolve(v["Contents"])
	if err != nil {
		return s, false, err
	}
	cs, _ := c.(String)
	s.Contents = []byte(cs)
	return s, true, nil
}

// optDict resolves o to a dictionary; anything that is not one (null
// included) is an empty dictionary. Only read errors are returned.
func (r *Reader) optDict(o any) (Dict, error) {
	v, err := r.Resolve(o)
	if err != nil {
		return nil, err
	}
	d, _ := v.(Dict)
	return d, nil
}
