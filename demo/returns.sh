#!/usr/bin/env bash
# Starts a few demo returns through the customer API, so the scan station has parcels to
# receive: prints each RMA with its merchant. Run once by demo/load.sh.
#   demo/returns.sh BASE_URL
set -euo pipefail
URL=$1

json_field() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }

# demo_return MERCHANT ORDER EMAIL ITEMS_JSON
demo_return() {
	local token ret rma track
	token=$(curl -sf -H 'Content-Type: application/json' \
		-d "{\"merchant\":\"$1\",\"order_number\":\"$2\",\"email\":\"$3\"}" \
		"$URL/api/v1/lookup" | json_field token)
	ret=$(curl -sf -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
		-H "Idempotency-Key: demo-$1-$2" -d "{\"items\":$4}" "$URL/api/v1/returns")
	rma=$(json_field rma <<<"$ret")
	track=$(json_field tracking_url <<<"$ret")
	printf '    %-7s %s   order %s   tracking: %s\n' "$1" "$rma" "$2" "$track"
}

demo_return sakura 1002 customer1002@example.jp \
	'[{"line_id":"2","quantity":1,"reason":"too_small","resolution":"refund"}]'
demo_return sakura 1003 customer1003@example.jp \
	'[{"line_id":"2","quantity":1,"reason":"changed_mind","resolution":"store_credit"}]'
demo_return sakura 1004 customer1004@example.jp \
	'[{"line_id":"1","quantity":1,"reason":"not_as_described","resolution":"refund"},
	  {"line_id":"2","quantity":1,"reason":"too_large","resolution":"refund"}]'
demo_return maple 2002 customer2002@example.com \
	'[{"line_id":"2","quantity":1,"reason":"changed_mind","resolution":"refund"}]'
demo_return maple 2003 customer2003@example.com \
	'[{"line_id":"1","quantity":1,"reason":"defective","resolution":"store_credit"}]'
