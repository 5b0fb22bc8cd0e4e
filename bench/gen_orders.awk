# bench/gen_orders.awk — a merchant's bench orders as JSONL for `kaeru-admin orders import`, plus
# one line per order for the load scripts: "slug order_number email eligible-line-ids".
#
#   awk -v slug=sakura -v currency=JPY -v prefix=SK -v n=3000 -v seed=1 -v now=EPOCH \
#       -v meta=FILE -f bench/gen_orders.awk
#
# With -v tsv=PREFIX -v merchant_id=M -v first_id=N, the same orders as the rows kaeru-admin's
# import writes instead, for LOAD DATA (bench/scale.sh): PREFIX.orders (ids first_id + 1, …) and
# PREFIX.lines, tab-separated, backslashes doubled.
#
# Orders have 1 to 5 lines (about 3), one in ten lines final sale, delivered 1 to 25 days ago (inside
# the default 30-day window), to Japanese addresses for JPY and US addresses for USD.

function iso(t) { return strftime("%Y-%m-%dT%H:%M:%SZ", t, 1) }
function pick(arr, n) { return arr[int(rand() * n) + 1] }
function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
function sqltime(t) { return strftime("%Y-%m-%d %H:%M:%S", t, 1) }
function tsvf(s) { gsub(/\\/, "\\\\", s); return s }

BEGIN {
	srand(seed)
	if (currency == "JPY") {
		np = split("TEE|HOOD|DENIM|SCARF|CAP|SOCK|SHIRT|BAG", prod, "|")
		split("オーガニックTシャツ|裏起毛パーカー|ストレッチデニム|カシミヤマフラー|コットンキャップ|リブソックス 3足組|リネンシャツ|キャンバストートバッグ", pname, "|")
		split("tops|tops|bottoms|accessories|hats|accessories|tops|bags", pcat, "|")
		split("4900|8800|12100|12100|3300|1650|6600|3960", pprice, "|")
		split("C|C|W|S|S|N|C|S", pvar, "|")
		nfam = split("山田|佐藤|鈴木|高橋|田中|伊藤|渡辺|中村|小林|加藤|吉田|山本", fam, "|")
		ngiv = split("太郎|花子|一郎|美咲|健太|さくら|大輔|陽菜|翔|結衣", giv, "|")
		ncity = split("東京都|千代田区|100-0005|丸の内1-1-1;東京都|渋谷区|150-0002|渋谷2-21-1;大阪府|大阪市北区|530-0001|梅田3-1-3;愛知県|名古屋市中村区|450-0002|名駅4-7-1;福岡県|福岡市博多区|812-0012|博多駅中央街1-1;北海道|札幌市中央区|060-0005|北5条西2-5", city, ";")
		country = "JP"; domain = "example.jp"
	} else {
		np = split("JKT|FLEECE|BOOT|BELT|BEANIE|SOCK|PACK|TEE", prod, "|")
		split("Rain Jacket|Polar Fleece|Trail Boots|Leather Belt|Wool Beanie|Trail Socks 3-pack|Daypack 20L|Merino Tee", pname, "|")
		split("outerwear|tops|footwear|accessories|hats|accessories|bags|tops", pcat, "|")
		split("12999|7999|15999|1999|2499|1499|5999|4999", pprice, "|")
		split("C|C|B|S|S|N|S|C", pvar, "|")
		nfam = split("Smith|Johnson|Williams|Brown|Garcia|Miller|Davis|Rodriguez|Martinez|Nguyen|Müller|O'Brien", fam, "|")
		ngiv = split("Emily|James|Olivia|Noah|Ava|Liam|Sofía|Lucas|Chloé|Mateo", giv, "|")
		ncity = split("OR|Portland|97205|1234 SW Main St;NY|New York|10001|350 5th Ave;CA|San Francisco|94103|500 Howard St;TX|Austin|78701|200 Congress Ave;WA|Seattle|98101|400 Pine St;IL|Chicago|60601|100 E Randolph St", city, ";")
		country = "US"; domain = "example.com"
	}
	ncolor = split(currency == "JPY" ? "Black|White|Navy|Grey|Red" : "Black|Olive|Navy|Rust|Sand", color, "|")
	nsize = split("S|M|L|XL", size, "|")
	nwaist = split("28|30|32|34", waist, "|")
	nboot = split("8|9|10|11", bootsz, "|")
	for (i = 1; i <= n; i++) {
		num = prefix "-" (100000 + i)
		email = "customer" i "." tolower(prefix) "@" domain
		delivered = now - int(1 + rand() * 24) * 86400 - int(rand() * 86400)
		placed = delivered - 3 * 86400
		split(pick(city, ncity), c, "|")
		if (currency == "JPY") name = pick(fam, nfam) " " pick(giv, ngiv)
		else name = pick(giv, ngiv) " " pick(fam, nfam)
		addr = "{\"name\":" q(name) ",\"postal_code\":" q(c[3]) ",\"region\":" q(c[1]) \
		       ",\"city\":" q(c[2]) ",\"line1\":" q(c[4]) ",\"line2\":" q(currency == "JPY" ? int(rand() * 900 + 101) "号室" : "Apt " int(rand() * 40 + 1)) \
		       ",\"country\":\"" country "\",\"phone\":\"" (currency == "JPY" ? "03-1234-" (1000 + i % 9000) : "+1 503 555 " (1000 + i % 9000)) "\"}"
		r = rand(); nl = r < 0.15 ? 1 : r < 0.40 ? 2 : r < 0.70 ? 3 : r < 0.90 ? 4 : 5
		lines = ""; eligible = ""; rows = ""
		delete used
		for (l = 1; l <= nl; l++) {
			do { p = int(rand() * np) + 1 } while (p in used)
			used[p] = 1
			v = pvar[p]
			if (v == "C") { variant = pick(color, ncolor) " / " pick(size, nsize) }
			else if (v == "W") { variant = "W" pick(waist, nwaist) }
			else if (v == "B") { variant = "US " pick(bootsz, nboot) }
			else if (v == "N") { variant = currency == "JPY" ? "23-25cm" : "M" }
			else { variant = pick(color, ncolor) }
			sku = prod[p] "-" toupper(variant); gsub(/[^A-Z0-9]+/, "-", sku)
			final = (v == "N" || rand() < 0.05) ? "true" : "false"
			qty = rand() < 0.85 ? 1 : 2
			lines = lines (l > 1 ? "," : "") "{\"line_id\":\"" l "\",\"sku\":" q(sku) ",\"product_id\":\"" prod[p] \
			        "\",\"name\":" q(pname[p]) ",\"variant\":" q(variant) ",\"category\":\"" pcat[p] \
			        "\",\"quantity\":" qty ",\"unit_price\":" pprice[p] ",\"final_sale\":" final "}"
			if (tsv != "")
				rows = rows (first_id + i) "\t" l "\t" (l - 1) "\t" tsvf(sku) "\t" prod[p] "\t" tsvf(pname[p]) "\t" \
				       tsvf(variant) "\t" pcat[p] "\t" qty "\t" pprice[p] "\t" (final == "true") "\n"
			if (final == "false") eligible = eligible (eligible == "" ? "" : ",") l
			skus[sku] = prod[p] "|" variant
		}
		if (tsv != "") {
			printf "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", first_id + i, merchant_id, num, email, \
			       tolower(email), currency, sqltime(placed), sqltime(delivered), tsvf(addr) > (tsv ".orders")
			printf "%s", rows > (tsv ".lines")
		} else
			printf "{\"order_number\":\"%s\",\"email\":\"%s\",\"currency\":\"%s\",\"placed_at\":\"%s\",\"delivered_at\":\"%s\",\"shipping_address\":%s,\"lines\":[%s]}\n", \
			       num, email, currency, iso(placed), iso(delivered), addr, lines
		print slug, num, email, (eligible == "" ? "-" : eligible) > meta
	}
	# The merchant's inventory: every SKU sold, most in stock.
	if (inventory != "") {
		printf "{\"items\":[" > inventory
		first = 1
		for (s in skus) {
			split(skus[s], pv, "|")
			printf "%s{\"sku\":%s,\"product_id\":%s,\"variant\":%s,\"available\":%d}", (first ? "" : ","), \
			       q(s), q(pv[1]), q(pv[2]), (rand() < 0.2 ? 0 : int(rand() * 40) + 1) > inventory
			first = 0
		}
		print "]}" > inventory
	}
}
