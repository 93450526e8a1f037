// Package paperless delivers documents to Paperless-ngx over its REST API:
// POST /api/documents/post_document/ (multipart: document, title, created,
// correspondent, document_type, tags, archive_serial_number, custom_fields)
// with "Authorization: Token …", then the consumption task is followed on
// /api/tasks/?task_id=… until it names the new document. Idempotency:
// Paperless-ngx keeps the MD5 checksum of every original, so before posting
// the connector looks the checksum up (/api/documents/?checksum__iexact=…)
// and looks for a consumption task of the same upload still running; a task
// that fails as a duplicate is resolved by the same lookup. Names of tags,
// correspondents and document types are resolved to ids (and created when
// missing); custom fields must exist.
package paperless
