#!/bin/sh
# tests/label/check_label.sh — end-to-end check of pdf/label.c through kaeru-label-sample.
#
#   check_label.sh PATH/TO/kaeru-label-sample
#
# Renders the Japanese and the Latin sample and checks what a warehouse scanner and a reader would
# notice: 4x6 in page, size <= 30 KB, no embedded fonts, both barcodes decoded by zbarimg from a
# 150 dpi raster to exactly the expected texts, and the names, addresses and items in pdftotext.
# Needs poppler-utils (+ poppler-data) and zbar-tools. Exit 0 if all passed, 1 on the first failure.
set -eu

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 PATH/TO/kaeru-label-sample" >&2
	exit 2
fi
sample=$1
max_bytes=30720

for tool in pdftoppm pdftotext pdfinfo pdffonts zbarimg; do
	command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool not installed" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok   $*"
}

# decoded_codes PNG: prints the symbols zbarimg finds, one "TYPE:text" a line, sorted.
decoded_codes() {
	zbarimg --nodbus -q "$1" 2>"$tmp/zbar.err" | sort || true
}

# expect_codes PNG RMA QR: the raster holds exactly one Code 128 with RMA and one QR code with QR.
expect_codes() {
	printf 'CODE-128:%s\nQR-Code:%s\n' "$2" "$3" | sort >"$tmp/codes.want"
	decoded_codes "$1" >"$tmp/codes.got"
	cmp -s "$tmp/codes.want" "$tmp/codes.got"
}

# check_sample FLAG RMA QR TEXT...: renders with FLAG and checks it; TEXT are lines pdftotext must hold.
check_sample() {
	flag=$1 rma=$2 qr=$3
	shift 3
	name=${flag#--}
	pdf="$tmp/$name.pdf"

	"$sample" "$flag" "$pdf" || fail "$name: kaeru-label-sample $flag exited $?"

	head -c 5 "$pdf" | grep -q '^%PDF-' || fail "$name: output is not a PDF"
	bytes=$(wc -c <"$pdf")
	[ "$bytes" -le "$max_bytes" ] || fail "$name: $bytes bytes, more than $max_bytes"
	pass "$name: PDF of $bytes bytes (<= $max_bytes)"

	pdfinfo "$pdf" | grep -Eq '^Page size: +288 x 432 pts' ||
		fail "$name: page is not 4x6 in (288 x 432 pt): $(pdfinfo "$pdf" | grep '^Page size')"
	pass "$name: page 288 x 432 pt"

	embedded=$(pdffonts "$pdf" | awk 'NR > 2 && $(NF - 4) == "yes" { print $1 }')
	[ -z "$embedded" ] || fail "$name: embedded fonts: $embedded"
	pass "$name: no embedded fonts ($(pdffonts "$pdf" | awk 'NR > 2 { print $1 }' | sort -u | tr '\n' ' '))"

	pdftoppm -r 150 -png -singlefile "$pdf" "$tmp/$name" 2>"$tmp/ppm.err" || fail "$name: pdftoppm failed"
	[ ! -s "$tmp/ppm.err" ] || fail "$name: pdftoppm complained (missing font or CMap?): $(cat "$tmp/ppm.err")"
	png="$tmp/$name.png"
	if ! expect_codes "$png" "$rma" "$qr"; then
		echo "wanted:" >&2
		cat "$tmp/codes.want" >&2
		echo "zbarimg found:" >&2
		cat "$tmp/codes.got" "$tmp/zbar.err" >&2
		fail "$name: barcodes at 150 dpi do not decode to the expected texts"
	fi
	pass "$name: 150 dpi raster decodes to Code 128 \"$rma\" and QR \"$qr\""
	# The comparison itself must be able to fail: a wrong RMA is not accepted.
	! expect_codes "$png" "$rma-X" "$qr" || fail "$name: checker accepted a wrong Code 128 text"

	pdftotext -enc UTF-8 "$pdf" "$tmp/$name.txt" 2>/dev/null || fail "$name: pdftotext failed"
	for want in "$@"; do
		grep -Fq -- "$want" "$tmp/$name.txt" || {
			echo "pdftotext gave:" >&2
			cat "$tmp/$name.txt" >&2
			fail "$name: text \"$want\" missing"
		}
		pass "$name: text \"$want\""
	done
}

check_sample --ja 7KQ2M-XH4RP KAERU:7KQ2M-XH4RP \
	"RETURN / 返品" "かえる商店" "2026-11-22" \
	"山田 太郎" "〒100-0005" "東京都 千代田区 丸の内1-1-1" "丸の内ビル 12F" "TEL 03-1234-5678" \
	"カエル物流 東日本DC 返品受付" "〒272-0002" "千葉県 市川市 二俣新町17" \
	"7KQ2M-XH4RP" \
	"2 × オーガニックコットンTシャツ" "M / ネイビー · SKU TS-ORG-M-NV" \
	"1 × リネンシャツ" "1 × キャンバストートバッグ"

check_sample --latin 3XJ9T-PL2WQ KAERU:3XJ9T-PL2WQ \
	"RETURN / 返品" "Zoë & Co. Homewares" \
	"José Müller" "12 Rue de la Paix" "Bât. B, 3e étage" "Paris, Île-de-France 75002" \
	"Zoë & Co. Returns — Reno DC" "Reno, NV 89502" \
	"3XJ9T-PL2WQ" \
	"1 × Crème Brûlée Candle" "Große 300 g · SKU CND-CB-300" \
	"2 × Señora Wool Scarf" "1 × Łódź Ceramic Mug"

echo "info: $("$sample" --ja --bench 200 "$tmp/bench.pdf") (--ja, this machine, not checked)"
echo "PASS: label checks"
