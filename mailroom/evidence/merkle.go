package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Merkle trees follow RFC 6962 §2.1: leaf hash SHA-256(0x00 || data), node
// hash SHA-256(0x01 || left || right), the left subtree holding the largest
// power of two smaller than the number of leaves.

// LeafHash is the hash of one leaf.
func LeafHash(data []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	return h.Sum(nil)
}

func nodeHash(l, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}

// MerkleRoot returns the root over leaf hashes.
func MerkleRoot(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		s := sha256.Sum256(nil)
		return s[:]
	case 1:
		return leaves[0]
	}
	k := split(len(leaves))
	return nodeHash(MerkleRoot(leaves[:k]), MerkleRoot(leaves[k:]))
}

func split(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}

// ProofStep is one sibling on the path from a leaf to the root.
type ProofStep struct {
	Hash string `json:"hash"` // hex
	Left bool   `json:"left"` // the sibling is on the left
}

// MerkleProof returns the inclusion proof of leaf i.
func MerkleProof(leaves [][]byte, i int) []ProofStep {
	if len(leaves) <= 1 {
		return nil
	}
	k := split(len(leaves))
	if i < k {
		return append(MerkleProof(leaves[:k], i), ProofStep{Hash: hex.EncodeToString(MerkleRoot(leaves[k:]))})
	}
	return append(MerkleProof(leaves[k:], i-k), ProofStep{Hash: hex.EncodeToString(MerkleRoot(leaves[:k])), Left: true})
}

// VerifyProof checks that leaf is included under root.
func VerifyProof(leaf []byte, proof []ProofStep, root []byte) error {
	h := leaf
	for _, s := range proof {
		sib, err := hex.DecodeString(s.Hash)
		if err != nil || len(sib) != sha256.Size {
			return fmt.Errorf("inclusion proof: bad hash")
		}
		if s.Left {
			h = nodeHash(sib, h)
		} else {
			h = nodeHash(h, sib)
		}
	}
	if !bytes.Equal(h, root) {
		return fmt.Errorf("inclusion proof does not lead to the batch root")
	}
	return nil
}

// BatchLeaf is the data of a document's leaf in its batch seal: the document
// id bound to the hashes of its sealed PDF and its Transfervermerk.
func BatchLeaf(docID, pdfSHA256, tvSHA256 string) []byte {
	return []byte("poststelle-batch-leaf:1\n" + docID + "\n" + pdfSHA256 + "\n" + tvSHA256)
}
