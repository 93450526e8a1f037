package evidence

import (
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"poststelle/mailroom"
	"strings"
)

// batchProof checks batchseal.json: the document (its id, its PDF's and
// its Transfervermerk's hashes) included in the batch's Merkle tree, the
// root's timestamp (TSA anchors) and the root's seal (batch anchors). A
// trusted seal over the root authenticates the document as its own seal
// would.
func (c *docCheck) batchProof() {
	data, err := readOptional(filepath.Join(c.m.dir, mailroom.FileBatchSeal))
	if err != nil {
		c.rep.add("batch-seal", Fail, "%s nicht lesbar: %v", "%s unreadable: %v", mailroom.FileBatchSeal, err)
		return
	}
	if data == nil {
		return
	}
	var p Proof
	if json.Unmarshal(data, &p) != nil || p.DocumentID != c.tv.DocumentID {
		c.rep.add("batch-seal", Fail, "%s unlesbar oder für ein anderes Dokument", "%s unreadable or for another document", mailroom.FileBatchSeal)
		return
	}
	pdfSHA := ""
	if c.ourPDF && c.m.pdf != nil {
		pdfSHA = sha(c.m.pdf)
	} else if c.productData != nil {
		pdfSHA = sha(c.productData)
	}
	leaf := LeafHash(BatchLeaf(p.DocumentID, pdfSHA, sha(c.tvXML)))
	root, _ := hex.DecodeString(p.Root)
	if err := VerifyProof(leaf, p.Path, root); err != nil {
		c.rep.add("batch-seal", Fail, "Stapelsiegel: Dokument nicht im Hash-Baum enthalten (%v)", "batch seal: document not included in the hash tree (%v)", err)
		return
	}
	de, en := []string{"Einschlussnachweis gültig"}, []string{"inclusion proof valid"}
	if p.Token != nil {
		info, pr := verifyToken(p.Token, []byte(p.Root), c.v.tsa)
		if pr != nil {
			c.rep.addProblem("batch-seal", pr, "Stapelsiegel, Zeitstempel der Wurzel: ", "batch seal, timestamp of the root: ")
			return
		}
		de = append(de, "Zeitstempel gültig ("+info.Time.UTC().Format("2006-01-02 15:04:05Z")+")")
		en = append(en, "timestamp valid ("+info.Time.UTC().Format("2006-01-02 15:04:05Z")+")")
	}
	if p.Signature != nil {
		info, sp, tp := verifySeal(p.Signature, []byte(p.Root), c.v.batch, c.v.tsa)
		if sp == nil {
			sp = tp
		}
		if sp != nil {
			c.rep.addProblem("batch-seal", sp, "Stapelsiegel, Siegel über die Wurzel: ", "batch seal, seal over the root: ")
			return
		}
		c.batchSigned = true
		de = append(de, "Siegel von "+info.Signer.Subject.String()+" gültig und vertrauenswürdig")
		en = append(en, "seal by "+info.Signer.Subject.String()+" valid and trusted")
	}
	c.rep.addText("batch-seal", OK, "Stapelsiegel: "+strings.Join(de, ", "), "batch seal: "+strings.Join(en, ", "))
}
