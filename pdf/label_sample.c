/* pdf/label_sample.c — kaeru-label-sample: writes a sample return label, optionally timing
 * label_render.
 *
 *   kaeru-label-sample [--ja|--latin] [--bench N] OUT.pdf
 *
 * --ja (default): Japanese customer and warehouse; --latin: accented Latin names.
 * tests/label/check_label.sh knows these samples' codes and texts. --bench N renders N more labels
 * and prints "ms_per_label=X bytes=Y". Exit status 0 on success, 1 on a render or I/O error, 2 on
 * bad usage. */
#define _POSIX_C_SOURCE 200809L

#include "pdf/label.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct label_item ja_items[] = {
    {.sku = "TS-ORG-M-NV",
     .name = "オーガニックコットンTシャツ",
     .variant = "M / ネイビー",
     .quantity = 2},
    {.sku = "SH-LIN-L-WH", .name = "リネンシャツ", .variant = "L / 白", .quantity = 1},
    {.sku = "BG-CNV-01", .name = "キャンバストートバッグ", .variant = "生成り", .quantity = 1},
};

static const struct label ja_label = {
    .rma = "7KQ2M-XH4RP",
    .qr_text = "KAERU:7KQ2M-XH4RP",
    .merchant_name = "かえる商店 (Kaeru Shoten)",
    .created_on = "2026-11-22",
    .from = {.name = "山田 太郎",
             .postal_code = "100-0005",
             .region = "東京都",
             .city = "千代田区",
             .line1 = "丸の内1-1-1",
             .line2 = "丸の内ビル 12F",
             .country = "JP",
             .phone = "03-1234-5678"},
    .dock = "CHB1 · 東日本DC",
    .to = {.name = "カエル物流 東日本DC 返品受付",
           .postal_code = "272-0002",
           .region = "千葉県",
           .city = "市川市",
           .line1 = "二俣新町17",
           .line2 = "3号棟 返品センター",
           .country = "JP",
           .phone = "047-000-1234"},
    .items = ja_items,
    .n_items = sizeof(ja_items) / sizeof(ja_items[0]),
};

static const struct label_item latin_items[] = {
    {.sku = "CND-CB-300", .name = "Crème Brûlée Candle", .variant = "Große 300 g", .quantity = 1},
    {.sku = "SCF-WL-GR", .name = "Señora Wool Scarf", .variant = "Grün", .quantity = 2},
    {.sku = "MUG-ZS-02", .name = "Łódź Ceramic Mug", .variant = "Ø 9 cm", .quantity = 1},
};

static const struct label latin_label = {
    .rma = "3XJ9T-PL2WQ",
    .qr_text = "KAERU:3XJ9T-PL2WQ",
    .merchant_name = "Zoë & Co. Homewares",
    .created_on = "2026-11-22",
    .from = {.name = "José Müller",
             .postal_code = "75002",
             .region = "Île-de-France",
             .city = "Paris",
             .line1 = "12 Rue de la Paix",
             .line2 = "Bât. B, 3e étage",
             .country = "France",
             .phone = "+33 1 23 45 67 89"},
    .dock = "RNO1 · Reno DC",
    .to = {.name = "Zoë & Co. Returns — Reno DC",
           .postal_code = "89502",
           .region = "NV",
           .city = "Reno",
           .line1 = "500 Industrial Way",
           .line2 = "Dock 4",
           .country = "United States",
           .phone = "+1 775 555 0100"},
    .items = latin_items,
    .n_items = sizeof(latin_items) / sizeof(latin_items[0]),
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int usage(void)
{
	fputs("usage: kaeru-label-sample [--ja|--latin] [--bench N] OUT.pdf\n", stderr);
	return 2;
}

/* Writes len bytes of buf to path; 0 on success. */
static int write_file(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int bad;

	if (!f)
		return -1;
	bad = fwrite(buf, 1, len, f) != len;
	bad |= fclose(f) != 0;
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	const struct label *l = &ja_label;
	const char *out_path = NULL;
	long bench = 0;
	unsigned char *pdf;
	size_t len;
	enum label_err err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ja") == 0) {
			l = &ja_label;
		} else if (strcmp(argv[i], "--latin") == 0) {
			l = &latin_label;
		} else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc) {
			char *end;

			bench = strtol(argv[++i], &end, 10);
			if (*end || bench < 1)
				return usage();
		} else if (argv[i][0] != '-' && !out_path) {
			out_path = argv[i];
		} else {
			return usage();
		}
	}
	if (!out_path)
		return usage();

	err = label_render(l, &pdf, &len);
	if (err != LABEL_OK) {
		fprintf(stderr, "kaeru-label-sample: label_render failed: %d\n", (int)err);
		return 1;
	}
	if (write_file(out_path, pdf, len) != 0) {
		perror(out_path);
		free(pdf);
		return 1;
	}
	free(pdf);

	if (bench > 0) {
		double start = now_ms();

		for (long i = 0; i < bench; i++) {
			err = label_render(l, &pdf, &len);
			if (err != LABEL_OK) {
				fprintf(stderr, "kaeru-label-sample: label_render failed: %d\n",
				        (int)err);
				return 1;
			}
			free(pdf);
		}
		printf("ms_per_label=%.3f bytes=%zu\n", (now_ms() - start) / (double)bench, len);
	}
	return 0;
}
