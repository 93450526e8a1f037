/* MuPDF smoke test for the Windows link shims (see ../doc.go and wine-smoke.sh). */
#include <stdio.h>
#include <mupdf/fitz.h>
int main(int argc, char **argv) {
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	if (!ctx) { puts("no ctx"); return 1; }
	fz_register_document_handlers(ctx);
	for (int i = 1; i < argc; i++) {
		fz_document *doc = NULL;
		fz_pixmap *pix = NULL;
		fz_var(doc); fz_var(pix);
		fz_try(ctx) {
			doc = fz_open_document(ctx, argv[i]);
			int n = fz_count_pages(ctx, doc);
			pix = fz_new_pixmap_from_page_number(ctx, doc, 0, fz_scale(300.0/72, 300.0/72), fz_device_gray(ctx), 0);
			printf("%s: %d pages, page 1 %dx%d\n", argv[i], n, pix->w, pix->h);
		}
		fz_always(ctx) { fz_drop_pixmap(ctx, pix); fz_drop_document(ctx, doc); }
		fz_catch(ctx) { printf("%s: caught error: %s\n", argv[i], fz_caught_message(ctx)); }
	}
	fz_drop_context(ctx);
	puts("done");
	return 0;
}
