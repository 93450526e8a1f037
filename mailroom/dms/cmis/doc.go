// Package cmis delivers documents to a CMIS 1.1 repository over the browser
// binding (OASIS CMIS 1.1, part II section 5: JSON answers, multipart form
// posts with cmisaction=createDocument). Alfresco, Nuxeo and other DMS speak
// it. Each document is created in the configured folder under a name that
// contains its UUID; before creating, the connector looks the name up in the
// folder (getObjectByPath), so a delivery repeated after a crash finds the
// document instead of creating a second one. Evidence files
// (transfervermerk.xml, metadata.json) are created first, the document
// last, so the document's presence means the delivery is complete.
// Mapped metadata go to CMIS properties (mapping: field → property id).
package cmis
