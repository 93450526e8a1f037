package pdf

// maxNameTreeDepth bounds the levels of a name tree.
const maxNameTreeDepth = 32

// Catalog returns the document catalog (/Root) and its reference.
func (r *Reader) Catalog() (Dict, Ref, error) {
	ref, _ := r.trailer["Root"].(Ref)
	d, err := r.Dict(ref)
	return d, ref, err
}

// NameTree returns the leaves of the name tree at node (key → value as
// written, references unresolved). Nodes that are missing or no
// dictionaries are skipped, like a tree deeper than 32 levels; errors
// reading an object are returned.
func (r *Reader) NameTree(node any) (map[string]any, error) {
	out := map[string]any{}
	return out, r.nameTree(node, out, 0)
}

func (r *Reader) nameTree(node any, out map[string]any, depth int) error {
	if depth > maxNameTreeDepth {
		return nil
	}
	n, err := r.Resolve(node)
	if err != nil {
		return err
	}
	d, ok := n.(Dict)
	if !ok {
		return nil
	}
	names, err := r.Resolve(d["Names"])
	if err != nil {
		return err
	}
	if arr, ok := names.(Array); ok {
		for i := 0; i+1 < len(arr); i += 2 {
			k, err := r.Resolve(arr[i])
			if err != nil {
				return err
			}
			key, _ := k.(String)
			out[string(key)] = arr[i+1]
		}
	}
	kids, err := r.Resolve(d["Kids"])
	if err != nil {
		return err
	}
	ka, _ := kids.(Array)
	for _, k := range ka {
		if err := r.nameTree(k, out, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// TextOf resolves o and decodes it as a text string ("" for anything
// else, read errors included).
func (r *Reader) TextOf(o any) string {
	v, err := r.Resolve(o)
	s, ok := v.(String)
	if err != nil || !ok {
		return ""
	}
	return Text(s)
}

// EmbeddedFile reads a file specification: its file name (/UF, else /F)
// and its embedded file stream (/EF /F). An error says it has no readable
// embedded file.
func (r *Reader) EmbeddedFile(spec any) (name string, s *Stream, err error) {
	fs, err := r.Dict(spec)
	if err != nil {
		return "", nil, err
	}
	ef, err := r.Dict(fs["EF"])
	if err != nil {
		return "", nil, err
	}
	so, err := r.Resolve(ef["F"])
	if err != nil {
		return "", nil, err
	}
	s, ok := so.(*Stream)
	if !ok {
		return "", nil, errorf("file specification without embedded file stream")
	}
	name = r.TextOf(fs["UF"])
	if name == "" {
		name = r.TextOf(fs["F"])
	}
	return name, s, nil
}

// maxMetadata bounds the XMP packet read from a catalog.
const maxMetadata = 16 << 20

// Metadata returns the catalog's XMP packet, nil if it has none.
func (r *Reader) Metadata() ([]byte, error) {
	root, _, err := r.Catalog()
	if err != nil {
		return nil, err
	}
	m, err := r.Resolve(root["Metadata"])
	if err != nil {
		return nil, err
	}
	s, ok := m.(*Stream)
	if !ok {
		return nil, nil
	}
	return r.DecodeStream(s, maxMetadata)
}
