#!/usr/bin/env bash
# Receives one demo parcel at the warehouse, grades its items for resale and publishes the
# listings, so the demo shop has something to sell. Run once by demo/load.sh.
#   demo/resale.sh BASE_URL RMA
set -euo pipefail
URL=$1 RMA=$2
JAR=$(mktemp)
trap 'rm -f "$JAR"' EXIT
post() { curl -sf -b "$JAR" -c "$JAR" -H 'Content-Type: application/json' -d "$2" "$URL/api/v1/$1"; }

post session '{"email":"staff@tyo1.example","password":"kaeru-warehouse"}' >/dev/null
items=$(post scan "{\"code\":\"$RMA\"}" | grep -o '"item_id":[0-9]*' | cut -d: -f2)
grade=like_new
for id in $items; do
	post "returns/$RMA/items/$id/inspection" \
		"{\"received_quantity\":1,\"grade\":\"$grade\",\"disposition\":\"resale\",\"note\":\"試着のみ。タグ付き。\"}" >/dev/null
	grade=good
done
post session '{"email":"owner@sakura.example","password":"kaeru-merchant"}' >/dev/null
ids=$(curl -sf -b "$JAR" "$URL/api/v1/merchant/listings?status=pending_review" |
	grep -o '"id":[0-9]*' | cut -d: -f2 | paste -sd, -)
post merchant/listings/approve "{\"ids\":[$ids]}" >/dev/null
echo "    published resale listings from $RMA: $URL/shop/sakura/"
