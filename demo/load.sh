#!/usr/bin/env bash
# Loads kaeru's demo data into the stack in VAR: two warehouses, two merchants (JPY and USD),
# 50 orders with Japanese and Latin names, inventory, staff logins and a few returns on
# their way to the warehouses. Run once by ./kaeru up.
#   demo/load.sh VAR BASE_URL
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VAR=$1 URL=$2
ADMIN=$VAR/admin
OUT=$VAR/demo
mkdir -p "$OUT"

iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
# Delivery dates relative to today, so the demo's return windows are open (and one is closed).
fill() {
	sed -e "s/@P@/\"$(iso '50 days ago')\"/g" -e "s/@D2@/\"$(iso '2 days ago')\"/g" \
		-e "s/@D5@/\"$(iso '5 days ago')\"/g" -e "s/@D9@/\"$(iso '9 days ago')\"/g" \
		-e "s/@D14@/\"$(iso '14 days ago')\"/g" -e "s/@D21@/\"$(iso '21 days ago')\"/g" \
		-e "s/@D45@/\"$(iso '45 days ago')\"/g" "$1"
}

"$ADMIN" warehouse create --code TYO1 --name "Tokyo DC 東京物流センター" --address-json \
	'{"name":"かえる返品センター 東京","postal_code":"135-0064","region":"東京都","city":"江東区","line1":"青海2-4-32","line2":"タイム24ビル 3F","country":"JP","phone":"03-5500-0001"}'
"$ADMIN" warehouse create --code NJ1 --name "New Jersey FC" --address-json \
	'{"name":"kaeru Returns NJ1","postal_code":"07097","region":"NJ","city":"Jersey City","line1":"100 Harbor Blvd","line2":"Dock 7","country":"US","phone":"+1 201-555-0100"}'

key() { "$ADMIN" merchant create "$@" | tail -n 1; }
SAKURA=$(key --slug sakura --name "Sakura Apparel さくらアパレル" --currency JPY --warehouse TYO1 \
	--timezone Asia/Tokyo --reply-to support@sakura.example)
MAPLE=$(key --slug maple --name "Maple Outdoor Co." --currency USD --warehouse NJ1 \
	--timezone America/New_York --reply-to help@maple.example)

fill "$HERE/orders-sakura.jsonl" >"$OUT/orders-sakura.jsonl"
fill "$HERE/orders-maple.jsonl" >"$OUT/orders-maple.jsonl"
"$ADMIN" orders import --merchant sakura "$OUT/orders-sakura.jsonl"
"$ADMIN" orders import --merchant maple "$OUT/orders-maple.jsonl"

put() {
	curl -sf -X PUT -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
		--data-binary "@$HERE/inventory-$1.json" "$URL/api/v1/merchants/$1/inventory" >/dev/null
}
put sakura "$SAKURA"
put maple "$MAPLE"

user() { # user EMAIL PASSWORD ROLE [OPTIONS…]
	local email=$1 pw=$2; shift 2
	printf '%s\n' "$pw" | "$ADMIN" user create --email "$email" --role "$@" >/dev/null
}
user staff@tyo1.example kaeru-warehouse warehouse --warehouse TYO1
user staff@nj1.example kaeru-warehouse warehouse --warehouse NJ1
user owner@sakura.example kaeru-merchant merchant --merchant sakura
user owner@maple.example kaeru-merchant merchant --merchant maple
user clerk@sakura.example kaeru-staff1 merchant_staff --merchant sakura
user admin@kaeru.example kaeru-admin1 admin

RETURNS=$("$HERE/returns.sh" "$URL")
# The third parcel (sakura order 1004) is already graded for resale, so the shop has stock.
RESALE=$("$HERE/resale.sh" "$URL" "$(awk 'NR == 3 { print $2 }' <<<"$RETURNS")")
RETURNS=$(awk 'NR != 3' <<<"$RETURNS")

# link MERCHANT KEY ORDER: the shop's return link of an order (GET …/return-link).
link() {
	curl -sf -H "Authorization: Bearer $2" "$URL/api/v1/merchants/$1/orders/$3/return-link" |
		grep -o '"url":"[^"]*"' | cut -d'"' -f4
}

cat >"$OUT/keys.txt" <<TXT
  Demo logins (password after the colon):
    warehouse staff   staff@tyo1.example : kaeru-warehouse   (also staff@nj1.example)
    merchant          owner@sakura.example : kaeru-merchant  (also owner@maple.example)
    merchant staff    clerk@sakura.example : kaeru-staff1    (sakura's console; no policy, webhook or team)
    admin             admin@kaeru.example : kaeru-admin1
  Merchant API keys:
    sakura  $SAKURA
    maple   $MAPLE
  Parcels waiting to be scanned at /scan/ (sakura's go to TYO1, maple's to NJ1):
$RETURNS
  Resale shop:
$RESALE
  Customer portal orders (number, e-mail, what they show):
    sakura  1001  taro@example.jp           two items that can be returned
    sakura  1002  customer1002@example.jp   a final-sale line, and a line already in a return
    sakura  1006  customer1006@example.jp   outside the 30-day window
    sakura  1007  customer1007@example.jp   not delivered yet
    maple   2001  emily@example.com         a jacket that can be returned, a final-sale beanie
    maple   2006  customer2006@example.com  outside the 30-day window
    maple   2007  customer2007@example.com  not delivered yet
  Return links, as a shop puts them in its delivery e-mail (open the order at once, 30 days):
    sakura 1001  $(link sakura "$SAKURA" 1001)
    maple  2001  $(link maple "$MAPLE" 2001)
TXT
chmod 600 "$OUT/keys.txt"
touch "$OUT/loaded"
