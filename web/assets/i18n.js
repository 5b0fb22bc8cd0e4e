// Language, words and formatting for the customer pages and the scan station.
// Every string a customer or staff member can read lives in DICT; pages call t(key, vars).
// Language: ?lang=ja|en, else the choice saved in localStorage, else navigator.language.

const DICT = {
  en: {
    'app.returns': 'Returns',
    'app.powered': 'Returns by kaeru',
    'app.loading': 'Loading…',
    'app.noscript': 'This page needs JavaScript.',
    'lang.label': 'Language',

    'err.network': 'We could not reach the server. Check your connection and try again.',
    'err.server': 'Something went wrong on our side. Please try again in a moment.',
    'err.rate': 'Too many attempts. Please try again in {minutes} minutes.',
    'err.rate1': 'Too many attempts. Please try again in 1 minute.',
    'err.check': 'Please check this field.',
    'err.summary': 'Please correct the highlighted fields.',
    'err.session': 'Your session has expired. Please look up your order again.',

    'steps.label': 'Progress',
    'steps.order': 'Order',
    'steps.items': 'Items',
    'steps.review': 'Review',
    'steps.done': 'Done',
    'steps.current': '(current step)',
    'steps.completed': '(completed)',

    'portal.title': 'Returns and exchanges',
    'portal.notfound.title': 'Returns page not found',
    'portal.notfound.body': 'We could not find this shop’s returns page. Please check the link in your order email.',
    'portal.intro': 'Return or exchange items from your order within {days} days of delivery.',
    'lookup.heading': 'Find your order',
    'lookup.order': 'Order number',
    'lookup.order.hint': 'As shown in your order confirmation email.',
    'lookup.email': 'Email address',
    'lookup.email.hint': 'The address you used when ordering.',
    'lookup.submit': 'Find my order',
    'lookup.busy': 'Searching…',
    'lookup.notfound': 'We could not find an order with that number and email address. Please check both and try again.',
    'lookup.err.order_number': 'Enter your order number.',
    'lookup.err.email': 'Enter a valid email address, like name@example.com.',

    'items.heading': 'Choose items to return',
    'items.order': 'Order {number}',
    'items.delivered': 'Delivered {date}',
    'items.fee': 'A {percent}% restocking fee applies when the reason is size or change of mind.',
    'items.fee.line': 'A {percent}% restocking fee applies for this reason.',
    'items.price': 'Price',
    'items.qty.ordered': 'Quantity: {n}',
    'items.return': 'Return this item',
    'items.qty': 'How many to return',
    'items.reason': 'Reason',
    'items.reason.choose': 'Choose a reason',
    'items.comment': 'Comment (optional)',
    'items.comment.hint': 'Anything that helps us, e.g. what was wrong.',
    'items.resolution': 'What would you like?',
    'items.refund': 'Refund {amount}',
    'items.credit': 'Store credit {amount}',
    'items.credit.bonus': '+{percent}% bonus',
    'items.exchange': 'Exchange for another size or colour',
    'items.exchange.variant': 'New size or colour',
    'items.exchange.choose': 'Choose a variant',
    'items.continue': 'Continue',
    'items.back': 'Look up another order',
    'items.none': 'Choose at least one item to return.',
    'items.noneeligible': 'None of the items in this order can be returned.',
    'items.err.reason': 'Choose a reason.',
    'items.err.quantity': 'Choose how many to return.',
    'items.err.resolution': 'Choose refund, store credit or exchange.',
    'items.err.exchange_sku': 'Choose an available size or colour.',
    'items.err.line_id': 'This item can no longer be returned.',
    'items.err.comment': 'Please check the comment.',

    'ineligible.window_closed': 'Return window closed ({days} days from delivery)',
    'ineligible.final_sale': 'Final sale item',
    'ineligible.already_returned': 'Already returned',
    'ineligible.unknown': 'Not returnable',

    'review.heading': 'Check your return',
    'review.qty': 'Quantity',
    'review.reason': 'Reason',
    'review.resolution': 'You get',
    'review.exchange': 'Exchange for {variant}',
    'review.fee': 'A {percent}% restocking fee will be deducted.',
    'review.submit': 'Submit return',
    'review.busy': 'Submitting…',
    'review.back': 'Change items',
    'review.retry': 'Your return was not submitted yet. Press “Submit return” again; you will not get a duplicate.',

    'done.heading': 'Your return is registered',
    'done.rma': 'Return code (RMA)',
    'done.label': 'Download label (PDF)',
    'done.track': 'Track your return',
    'done.copy': 'Copy tracking link',
    'done.copied': 'Tracking link copied.',
    'done.howto': 'What to do next',
    'done.step1': 'Print the label and stick it on the parcel, covering any old labels.',
    'done.step2': 'No printer? Show the label on your phone at the drop-off point; staff can scan its QR code.',
    'done.step3': 'Pack the items in their original condition and send the parcel.',
    'done.step4': 'Follow the progress with the tracking link.',
    'done.validity': 'Please send the parcel within {days} days; after that the label expires.',
    'done.cancel': 'Cancel this return',
    'done.cancel.confirm': 'Cancel return {rma}? The label will stop working.',
    'done.cancel.yes': 'Yes, cancel the return',
    'done.cancel.no': 'Keep my return',
    'done.canceled': 'Return {rma} has been canceled.',
    'done.again': 'Start again',

    'cancel.button': 'Cancel return',
    'cancel.heading': 'Cancel this return',
    'cancel.intro': 'To confirm it is you, enter the email address of the order.',
    'cancel.email': 'Email address',
    'cancel.submit': 'Confirm cancellation',
    'cancel.busy': 'Canceling…',
    'cancel.keep': 'Keep my return',
    'cancel.wrongemail': 'That email address does not match this order.',
    'cancel.received': 'This return has already been received at the warehouse and can no longer be canceled.',
    'cancel.done': 'Your return has been canceled.',

    'track.title': 'Return {rma}',
    'track.order': '{merchant} · order {number}',
    'track.created': 'Created {date}',
    'track.notfound.title': 'Return not found',
    'track.notfound.body': 'We could not find this return. Please open the tracking link from your confirmation again.',
    'track.status': 'Status',
    'track.items': 'Items',
    'track.timeline': 'History',
    'track.label': 'Download label (PDF)',
    'track.label.hint': 'Print it and stick it on the parcel, or show it on your phone at the drop-off point.',
    'track.received': 'Received {received} of {quantity}',
    'track.grade': 'Condition: {grade}',
    'track.refund.refund': 'Refund: {amount}',
    'track.refund.store_credit': 'Store credit: {amount}',
    'track.refund.note': 'The shop sends the money to your original payment method.',
    'track.refund.credit.note': 'The credit is added to your account at the shop.',
    'track.exchange.note': 'Your new item is being prepared.',
    'track.refresh': 'Refresh',
    'track.noevents': 'No events yet.',

    'status.label_issued': 'Label issued',
    'status.received': 'Received',
    'status.resolved': 'Resolved',
    'status.canceled': 'Canceled',
    'status.expired': 'Expired',
    'statusdesc.label_issued': 'Send the parcel with the label attached. This page updates when it arrives.',
    'statusdesc.received': 'Your parcel has arrived at the warehouse and is being inspected.',
    'statusdesc.resolved': 'Your return is complete.',
    'statusdesc.canceled': 'This return was canceled. The label can no longer be used.',
    'statusdesc.expired': 'The label expired before the parcel arrived. Contact the shop if you still want to return the items.',

    'event.created': 'Return created',
    'event.received': 'Parcel received at the warehouse',
    'event.inspected': 'Item inspected',
    'event.resolved': 'Return resolved',
    'event.canceled': 'Return canceled',
    'event.expired': 'Label expired',
    'actor.customer': 'by you',
    'actor.warehouse': 'by the warehouse',
    'actor.system': 'automatically',
    'actor.merchant': 'by the shop',
    'actor.kaeru': 'automatically',
    'detail.amount': 'Amount: {amount}',
    'detail.grade': 'Condition: {grade}',
    'detail.quantity': 'Quantity: {n}',
    'detail.items': 'Items: {n}',

    'reason.too_small': 'Too small',
    'reason.too_large': 'Too large',
    'reason.not_as_described': 'Not as described',
    'reason.damaged': 'Arrived damaged',
    'reason.defective': 'Defective',
    'reason.wrong_item': 'Wrong item sent',
    'reason.changed_mind': 'Changed my mind',
    'reason.arrived_late': 'Arrived too late',
    'reason.other': 'Other',

    'resolution.refund': 'Refund',
    'resolution.store_credit': 'Store credit',
    'resolution.exchange': 'Exchange',

    'grade.new': 'New',
    'grade.like_new': 'Like new',
    'grade.good': 'Good',
    'grade.fair': 'Fair',
    'grade.damaged': 'Damaged',

    'disposition.restock': 'Restock',
    'disposition.resale': 'Resale',
    'disposition.refurbish': 'Refurbish',
    'disposition.recycle': 'Recycle',
    'disposition.return_to_customer': 'Return to customer',

    'role.warehouse': 'warehouse',
    'role.merchant': 'shop',
    'role.admin': 'admin',

    // tracking: the warehouse steps and the money once resolved
    'detail.warehouse': 'At {name}',
    'detail.inspected': '{name}: received {received} of {quantity}',
    'detail.refund': 'Refund: {amount}',
    'detail.fee': 'Restocking fee: {amount}',
    'detail.credit': 'Store credit: {amount}',
    'detail.credit.bonus': 'Store credit: {amount} (including a {bonus} bonus)',
    'detail.exchange': 'Exchange being shipped: {variant} × {n}',
    'detail.missing': 'Not received: {n}',
    'track.refund.heading': 'Your refund',
    'track.refund.fee': 'Restocking fee: {amount}',
    'track.refund.fee.note': 'The restocking fee applies to returns for size or change of mind.',
    'track.refund.bonus': 'including a {amount} bonus',
    'track.refund.total': 'Total: {amount}',
    'track.refund.none': 'No refund is due because no items arrived.',
    'track.exchange.item': 'Exchange being shipped: {variant} × {n}',
    'track.item.inspected': 'Inspected',

    // scan station (warehouse staff)
    'scan.title': 'Scan station',
    'scan.login.heading': 'Staff login',
    'scan.login.intro': 'Log in with your warehouse account.',
    'scan.login.email': 'Email',
    'scan.login.password': 'Password',
    'scan.login.submit': 'Log in',
    'scan.login.busy': 'Logging in…',
    'scan.login.wrong': 'Wrong email or password.',
    'scan.login.slow': 'Too many failed logins. Wait {wait}, then try again.',
    'scan.login.err.email': 'Enter your email address.',
    'scan.login.err.password': 'Enter your password.',
    'scan.login.expired': 'Your session has ended. Please log in again.',
    'scan.login.expired.code': 'Your session has ended. Log in again, then scan {code} again.',
    'scan.wait.seconds': '{n} seconds',
    'scan.wait.minute': '1 minute',
    'scan.wait.minutes': '{n} minutes',
    'scan.role': 'This account ({role}) cannot receive parcels. Log in with a warehouse account.',
    'scan.logout': 'Log out',
    'scan.loggedout': 'You have logged out.',
    'scan.station.all': 'All warehouses',
    'scan.station.label': 'Station',
    'scan.sound': 'Sound',
    'scan.input': 'Scan or type the return code',
    'scan.input.hint': 'The RMA (e.g. ABCDE-FGHJK) or the label’s QR code, then Enter.',
    'scan.submit': 'Check',
    'scan.checking': 'Checking {code}…',
    'scan.result.ok': 'Received',
    'scan.result.ok.sub': 'First scan. Inspect the items below.',
    'scan.result.repeat': 'Already received',
    'scan.result.repeat.sub': 'Scanned before ({date}). Nothing was changed.',
    'scan.result.repeat.nodate': 'Scanned before. Nothing was changed.',
    'scan.result.opened.sub': 'Opened from the last scans.',
    'scan.result.unknown': 'Unknown code',
    'scan.result.unknown.sub': 'No return matches “{code}”. Check the label; if it cannot be read, set the parcel aside.',
    'scan.result.canceled': 'Canceled by the customer — set the parcel aside',
    'scan.result.expired': 'Label expired — set the parcel aside',
    'scan.result.aside.sub': 'Do not inspect it. Keep it apart for the shop to decide.',
    'scan.result.wrong_warehouse': 'Wrong warehouse — this parcel belongs to {warehouse}',
    'scan.result.wrong_warehouse.sub': 'Set it aside and forward it to warehouse {warehouse}.',
    'scan.result.conflict': 'Cannot receive this parcel — set it aside',
    'scan.result.failed': 'Scan not recorded — scan again',
    'scan.result.denied': 'This account may not receive parcels',
    'scan.result.resolved': 'Resolved',
    'scan.merchant': 'Shop',
    'scan.customer': 'Customer',
    'scan.order': 'Order',
    'scan.status': 'Status',
    'scan.expected': 'Expected items',
    'scan.item.qty': 'Quantity',
    'scan.item.reason': 'Reason',
    'scan.item.resolution': 'Customer wants',
    'scan.item.exchange': 'Exchange for {variant}',
    'scan.inspect.received': 'Received quantity',
    'scan.inspect.of': 'of {n}',
    'scan.inspect.less': 'One less',
    'scan.inspect.more': 'One more',
    'scan.inspect.missing': 'Nothing arrived: no grade or disposition needed.',
    'scan.inspect.grade': 'Grade',
    'scan.inspect.disposition': 'Disposition',
    'scan.inspect.note': 'Note (optional)',
    'scan.inspect.submit': 'Record inspection',
    'scan.inspect.busy': 'Saving…',
    'scan.inspect.err.grade': 'Choose a grade.',
    'scan.inspect.err.disposition': 'Choose a disposition.',
    'scan.inspect.err.received_quantity': 'Enter a number from 0 to {n}.',
    'scan.inspect.err.resale': 'Damaged items cannot go to resale.',
    'scan.inspect.err.note': 'The note is too long (at most 1000 characters).',
    'scan.inspect.noresale': 'Damaged items cannot be resold.',
    'scan.inspect.conflict': 'This item cannot be inspected now (already inspected differently, or the return is not open). The latest state is shown.',
    'scan.inspect.done': 'Inspected: received {received} of {quantity}',
    'scan.inspect.announce': '{name} inspected.',
    'scan.resolved': 'Return resolved',
    'scan.resolved.announce': 'Return {rma} resolved. Total {amount}.',
    'scan.money.refund': 'Refund',
    'scan.money.fee': 'Restocking fee',
    'scan.money.credit': 'Store credit',
    'scan.money.bonus': 'including {amount} bonus',
    'scan.money.total': 'Total to the customer',
    'scan.money.exchange': 'Replacement to ship',
    'scan.money.missing': 'Not received',
    'scan.money.unit': '1 unit',
    'scan.money.units': '{n} units',
    'scan.history': 'Last scans',
    'scan.history.empty': 'No scans yet.',
    'scan.history.pending': 'Checking…',
    'scan.history.ok': 'Received',
    'scan.history.repeat': 'Already received',
    'scan.history.unknown': 'Unknown code',
    'scan.history.canceled': 'Canceled',
    'scan.history.expired': 'Expired',
    'scan.history.wrong_warehouse': 'Wrong warehouse',
    'scan.history.conflict': 'Set aside',
    'scan.history.failed': 'Not recorded',
    'scan.history.denied': 'Not allowed',
    'scan.history.open': 'Open {rma}',
    'scan.earlier': 'Earlier scan {code}: {result}',
  },

  ja: {
    'app.returns': '返品',
    'app.powered': 'Returns by kaeru',
    'app.loading': '読み込み中…',
    'app.noscript': 'このページを表示するには JavaScript を有効にしてください。',
    'lang.label': '言語',

    'err.network': 'サーバーに接続できませんでした。通信状況を確認して、もう一度お試しください。',
    'err.server': '問題が発生しました。しばらくしてからもう一度お試しください。',
    'err.rate': '試行回数が多すぎます。{minutes}分後にもう一度お試しください。',
    'err.rate1': '試行回数が多すぎます。1分後にもう一度お試しください。',
    'err.check': '入力内容を確認してください。',
    'err.summary': '入力内容に誤りがあります。表示された項目を確認してください。',
    'err.session': '有効期限が切れました。もう一度注文を検索してください。',

    'steps.label': '進行状況',
    'steps.order': '注文検索',
    'steps.items': '商品選択',
    'steps.review': '確認',
    'steps.done': '完了',
    'steps.current': '（現在のステップ）',
    'steps.completed': '（完了）',

    'portal.title': '返品・交換',
    'portal.notfound.title': '返品ページが見つかりません',
    'portal.notfound.body': 'このショップの返品ページが見つかりませんでした。ご注文メールに記載のリンクをご確認ください。',
    'portal.intro': 'お届けから{days}日以内の商品を返品・交換できます。',
    'lookup.heading': 'ご注文を検索',
    'lookup.order': '注文番号',
    'lookup.order.hint': 'ご注文確認メールに記載されています。',
    'lookup.email': 'メールアドレス',
    'lookup.email.hint': 'ご注文時に入力したメールアドレス。',
    'lookup.submit': '注文を検索',
    'lookup.busy': '検索中…',
    'lookup.notfound': 'この注文番号とメールアドレスに一致するご注文が見つかりませんでした。両方をご確認のうえ、もう一度お試しください。',
    'lookup.err.order_number': '注文番号を入力してください。',
    'lookup.err.email': '正しいメールアドレスを入力してください（例：name@example.jp）。',

    'items.heading': '返品する商品を選択',
    'items.order': '注文番号 {number}',
    'items.delivered': 'お届け日 {date}',
    'items.fee': '返品理由がサイズまたはお客様都合の場合、{percent}%の返品手数料がかかります。',
    'items.fee.line': 'この理由の場合、{percent}%の返品手数料がかかります。',
    'items.price': '価格',
    'items.qty.ordered': '数量：{n}',
    'items.return': 'この商品を返品する',
    'items.qty': '返品する数量',
    'items.reason': '返品理由',
    'items.reason.choose': '理由を選択してください',
    'items.comment': 'コメント（任意）',
    'items.comment.hint': '不具合の内容など、お気づきの点をご記入ください。',
    'items.resolution': 'ご希望の対応',
    'items.refund': '返金 {amount}',
    'items.credit': 'ストアクレジット {amount}',
    'items.credit.bonus': '+{percent}%ボーナス',
    'items.exchange': '別のサイズ・色に交換',
    'items.exchange.variant': '交換後のサイズ・色',
    'items.exchange.choose': 'サイズ・色を選択してください',
    'items.continue': '確認へ進む',
    'items.back': '別の注文を検索',
    'items.none': '返品する商品を1つ以上選択してください。',
    'items.noneeligible': 'このご注文には返品できる商品がありません。',
    'items.err.reason': '返品理由を選択してください。',
    'items.err.quantity': '返品する数量を選択してください。',
    'items.err.resolution': '返金・ストアクレジット・交換のいずれかを選択してください。',
    'items.err.exchange_sku': '在庫のあるサイズ・色を選択してください。',
    'items.err.line_id': 'この商品は返品できなくなりました。',
    'items.err.comment': 'コメントを確認してください。',

    'ineligible.window_closed': '返品期間（お届けから{days}日）を過ぎています',
    'ineligible.final_sale': '返品不可のセール品です',
    'ineligible.already_returned': '返品手続き済みです',
    'ineligible.unknown': '返品できません',

    'review.heading': '返品内容の確認',
    'review.qty': '数量',
    'review.reason': '返品理由',
    'review.resolution': 'ご希望の対応',
    'review.exchange': '{variant} に交換',
    'review.fee': '{percent}%の返品手数料が差し引かれます。',
    'review.submit': '返品を申し込む',
    'review.busy': '送信中…',
    'review.back': '商品選択に戻る',
    'review.retry': '返品はまだ登録されていません。もう一度「返品を申し込む」を押してください。二重に登録されることはありません。',

    'done.heading': '返品を受け付けました',
    'done.rma': '返品番号（RMA）',
    'done.label': '返送ラベルをダウンロード（PDF）',
    'done.track': '返品状況を確認',
    'done.copy': '追跡リンクをコピー',
    'done.copied': '追跡リンクをコピーしました。',
    'done.howto': '次の手順',
    'done.step1': 'ラベルを印刷し、古い伝票を覆うように荷物に貼ってください。',
    'done.step2': 'プリンターがない場合は、持ち込み窓口でスマートフォンにラベルを表示し、QRコードを読み取ってもらってください。',
    'done.step3': '商品をお届け時の状態で梱包し、発送してください。',
    'done.step4': '返品状況は追跡リンクから確認できます。',
    'done.validity': '{days}日以内に発送してください。期限を過ぎるとラベルは使用できなくなります。',
    'done.cancel': 'この返品をキャンセル',
    'done.cancel.confirm': '返品 {rma} をキャンセルしますか？ラベルは使えなくなります。',
    'done.cancel.yes': 'はい、キャンセルします',
    'done.cancel.no': 'キャンセルしない',
    'done.canceled': '返品 {rma} をキャンセルしました。',
    'done.again': '最初に戻る',

    'cancel.button': '返品をキャンセル',
    'cancel.heading': '返品のキャンセル',
    'cancel.intro': 'ご本人確認のため、ご注文時のメールアドレスを入力してください。',
    'cancel.email': 'メールアドレス',
    'cancel.submit': 'キャンセルを確定',
    'cancel.busy': 'キャンセル中…',
    'cancel.keep': 'キャンセルしない',
    'cancel.wrongemail': 'メールアドレスがご注文と一致しません。',
    'cancel.received': 'この返品はすでに倉庫に到着しているため、キャンセルできません。',
    'cancel.done': '返品をキャンセルしました。',

    'track.title': '返品 {rma}',
    'track.order': '{merchant}・注文番号 {number}',
    'track.created': '受付日時 {date}',
    'track.notfound.title': '返品が見つかりません',
    'track.notfound.body': 'この返品が見つかりませんでした。受付完了時の追跡リンクをもう一度開いてください。',
    'track.status': 'ステータス',
    'track.items': '返品商品',
    'track.timeline': '履歴',
    'track.label': '返送ラベルをダウンロード（PDF）',
    'track.label.hint': '印刷して荷物に貼るか、持ち込み窓口でスマートフォンに表示してください。',
    'track.received': '{quantity}点中{received}点受領',
    'track.grade': '状態：{grade}',
    'track.refund.refund': '返金額：{amount}',
    'track.refund.store_credit': 'ストアクレジット：{amount}',
    'track.refund.note': 'ご購入時のお支払い方法へショップから返金されます。',
    'track.refund.credit.note': 'ショップのアカウントにクレジットが追加されます。',
    'track.exchange.note': '交換商品を準備しています。',
    'track.refresh': '最新の状態に更新',
    'track.noevents': '履歴はまだありません。',

    'status.label_issued': 'ラベル発行済み',
    'status.received': '倉庫で受領',
    'status.resolved': '完了',
    'status.canceled': 'キャンセル済み',
    'status.expired': '期限切れ',
    'statusdesc.label_issued': 'ラベルを貼って荷物を発送してください。倉庫に届くとこのページが更新されます。',
    'statusdesc.received': '返送品が倉庫に到着し、検品中です。',
    'statusdesc.resolved': '返品手続きが完了しました。',
    'statusdesc.canceled': 'この返品はキャンセルされました。ラベルは使用できません。',
    'statusdesc.expired': '荷物が届く前にラベルの有効期限が切れました。返品をご希望の場合はショップにお問い合わせください。',

    'event.created': '返品受付',
    'event.received': '倉庫に到着',
    'event.inspected': '検品完了',
    'event.resolved': '返品完了',
    'event.canceled': '返品キャンセル',
    'event.expired': 'ラベル期限切れ',
    'actor.customer': 'お客様',
    'actor.warehouse': '倉庫',
    'actor.system': '自動処理',
    'actor.merchant': 'ショップ',
    'actor.kaeru': '自動処理',
    'detail.amount': '金額：{amount}',
    'detail.grade': '状態：{grade}',
    'detail.quantity': '数量：{n}',
    'detail.items': '商品数：{n}',

    'reason.too_small': 'サイズが小さい',
    'reason.too_large': 'サイズが大きい',
    'reason.not_as_described': '商品説明と異なる',
    'reason.damaged': '届いた時に破損していた',
    'reason.defective': '不良品',
    'reason.wrong_item': '注文と違う商品が届いた',
    'reason.changed_mind': 'イメージと違った・不要になった',
    'reason.arrived_late': '到着が遅れた',
    'reason.other': 'その他',

    'resolution.refund': '返金',
    'resolution.store_credit': 'ストアクレジット',
    'resolution.exchange': '交換',

    'grade.new': '新品',
    'grade.like_new': '未使用に近い',
    'grade.good': '目立った傷や汚れなし',
    'grade.fair': 'やや傷や汚れあり',
    'grade.damaged': '破損あり',

    'disposition.restock': '在庫に戻す',
    'disposition.resale': '再販',
    'disposition.refurbish': '修理・再生',
    'disposition.recycle': 'リサイクル',
    'disposition.return_to_customer': 'お客様へ返送',

    'role.warehouse': '倉庫',
    'role.merchant': 'ショップ',
    'role.admin': '管理者',

    'detail.warehouse': '{name}',
    'detail.inspected': '{name}：{quantity}点中{received}点受領',
    'detail.refund': '返金：{amount}',
    'detail.fee': '返品手数料：{amount}',
    'detail.credit': 'ストアクレジット：{amount}',
    'detail.credit.bonus': 'ストアクレジット：{amount}（ボーナス{bonus}を含む）',
    'detail.exchange': '交換品を発送します：{variant} × {n}',
    'detail.missing': '未着：{n}点',
    'track.refund.heading': '返金・クレジット',
    'track.refund.fee': '返品手数料：{amount}',
    'track.refund.fee.note': '返品手数料は、サイズまたはお客様都合による返品にかかります。',
    'track.refund.bonus': 'ボーナス{amount}を含む',
    'track.refund.total': '合計：{amount}',
    'track.refund.none': '商品が届かなかったため、返金はありません。',
    'track.exchange.item': '交換品を発送します：{variant} × {n}',
    'track.item.inspected': '検品済み',

    'scan.title': '返品スキャン',
    'scan.login.heading': 'スタッフログイン',
    'scan.login.intro': '倉庫スタッフのアカウントでログインしてください。',
    'scan.login.email': 'メールアドレス',
    'scan.login.password': 'パスワード',
    'scan.login.submit': 'ログイン',
    'scan.login.busy': 'ログイン中…',
    'scan.login.wrong': 'メールアドレスまたはパスワードが違います。',
    'scan.login.slow': 'ログインの失敗が続きました。{wait}待ってから、もう一度お試しください。',
    'scan.login.err.email': 'メールアドレスを入力してください。',
    'scan.login.err.password': 'パスワードを入力してください。',
    'scan.login.expired': 'セッションが終了しました。もう一度ログインしてください。',
    'scan.login.expired.code': 'セッションが終了しました。ログインし直してから、{code} をもう一度スキャンしてください。',
    'scan.wait.seconds': '{n}秒',
    'scan.wait.minute': '1分',
    'scan.wait.minutes': '{n}分',
    'scan.role': 'このアカウント（{role}）では荷物を受領できません。倉庫スタッフのアカウントでログインしてください。',
    'scan.logout': 'ログアウト',
    'scan.loggedout': 'ログアウトしました。',
    'scan.station.all': '全倉庫',
    'scan.station.label': '拠点',
    'scan.sound': '音',
    'scan.input': '返品コードをスキャンまたは入力',
    'scan.input.hint': 'RMA（例：ABCDE-FGHJK）またはラベルのQRコード。Enterで確定します。',
    'scan.submit': '照会',
    'scan.checking': '{code} を照会中…',
    'scan.result.ok': '受領しました',
    'scan.result.ok.sub': '初回のスキャンです。下の商品を検品してください。',
    'scan.result.repeat': '受領済み',
    'scan.result.repeat.sub': '{date} にスキャン済みです。変更はありません。',
    'scan.result.repeat.nodate': 'スキャン済みです。変更はありません。',
    'scan.result.opened.sub': '最近のスキャンから開きました。',
    'scan.result.unknown': '不明なコード',
    'scan.result.unknown.sub': '「{code}」に一致する返品はありません。ラベルを確認し、読み取れない場合は荷物を別にしてください。',
    'scan.result.canceled': 'お客様がキャンセルした返品です — 荷物を別にしてください',
    'scan.result.expired': 'ラベルの有効期限切れです — 荷物を別にしてください',
    'scan.result.aside.sub': '検品せず、ショップの判断を待つため別に保管してください。',
    'scan.result.wrong_warehouse': '別の倉庫（{warehouse}）宛ての荷物です — 荷物を別にしてください',
    'scan.result.wrong_warehouse.sub': '荷物を別にし、倉庫 {warehouse} へ転送してください。',
    'scan.result.conflict': 'この荷物は受領できません — 荷物を別にしてください',
    'scan.result.failed': 'スキャンが記録されていません — もう一度スキャンしてください',
    'scan.result.denied': 'このアカウントでは荷物を受領できません',
    'scan.result.resolved': '処理完了',
    'scan.merchant': 'ショップ',
    'scan.customer': 'お客様',
    'scan.order': '注文番号',
    'scan.status': 'ステータス',
    'scan.expected': '返送予定の商品',
    'scan.item.qty': '数量',
    'scan.item.reason': '返品理由',
    'scan.item.resolution': 'ご希望',
    'scan.item.exchange': '{variant} に交換',
    'scan.inspect.received': '受領数',
    'scan.inspect.of': '/ {n}',
    'scan.inspect.less': '1つ減らす',
    'scan.inspect.more': '1つ増やす',
    'scan.inspect.missing': '未着のため、状態と処理の選択は不要です。',
    'scan.inspect.grade': '状態',
    'scan.inspect.disposition': '処理',
    'scan.inspect.note': 'メモ（任意）',
    'scan.inspect.submit': '検品結果を記録',
    'scan.inspect.busy': '保存中…',
    'scan.inspect.err.grade': '状態を選択してください。',
    'scan.inspect.err.disposition': '処理を選択してください。',
    'scan.inspect.err.received_quantity': '0〜{n}の数を入力してください。',
    'scan.inspect.err.resale': '破損品は再販にできません。',
    'scan.inspect.err.note': 'メモが長すぎます（1000文字まで）。',
    'scan.inspect.noresale': '破損品は再販できません。',
    'scan.inspect.conflict': 'この商品は現在検品できません（別の内容で検品済み、または受付中でない返品です）。最新の状態を表示しています。',
    'scan.inspect.done': '検品済み：{quantity}点中{received}点受領',
    'scan.inspect.announce': '{name} を検品しました。',
    'scan.resolved': '返品処理が完了しました',
    'scan.resolved.announce': '返品 {rma} の処理が完了しました。合計 {amount}。',
    'scan.money.refund': '返金',
    'scan.money.fee': '返品手数料',
    'scan.money.credit': 'ストアクレジット',
    'scan.money.bonus': 'ボーナス{amount}を含む',
    'scan.money.total': 'お客様への合計',
    'scan.money.exchange': '発送する交換品',
    'scan.money.missing': '未着',
    'scan.money.unit': '1点',
    'scan.money.units': '{n}点',
    'scan.history': '最近のスキャン',
    'scan.history.empty': 'まだスキャンしていません。',
    'scan.history.pending': '照会中…',
    'scan.history.ok': '受領',
    'scan.history.repeat': '受領済み',
    'scan.history.unknown': '不明なコード',
    'scan.history.canceled': 'キャンセル済み',
    'scan.history.expired': '期限切れ',
    'scan.history.wrong_warehouse': '別の倉庫宛て',
    'scan.history.conflict': '保留',
    'scan.history.failed': '未記録',
    'scan.history.denied': '権限なし',
    'scan.history.open': '{rma} を開く',
    'scan.earlier': '先ほどのスキャン {code}：{result}',
  },
};

export const LANGS = ['ja', 'en'];
const STORE_KEY = 'kaeru.lang';
const listeners = [];

function readStored() {
  try {
    return localStorage.getItem(STORE_KEY);
  } catch {
    return null; // storage disabled (private mode); fall through
  }
}

function detect() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (LANGS.includes(fromUrl)) return fromUrl;
  const stored = readStored();
  if (LANGS.includes(stored)) return stored;
  return (navigator.language || '').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

let current = detect();
document.documentElement.lang = current;

export function lang() {
  return current;
}

// The BCP 47 locale for Intl: Japanese, or the browser's English variant.
export function locale() {
  if (current === 'ja') return 'ja-JP';
  const nav = navigator.language || '';
  return nav.toLowerCase().startsWith('en') ? nav : 'en-US';
}

// t('items.refund', {amount: '¥4,900'}): the word for key in the current language;
// unknown keys fall back to English, then to the key itself.
export function t(key, vars = {}) {
  const text = DICT[current][key] ?? DICT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

// The word for a code (reason, status, grade…) or the code itself when unknown.
export function word(group, code) {
  const key = `${group}.${code}`;
  return key in DICT[current] ? DICT[current][key] : String(code ?? '');
}

export function has(key) {
  return key in DICT[current];
}

// Money in integer minor units → "¥4,900" / "$19.99".
export function money(minor, currency) {
  if (minor == null || !currency) return '';
  try {
    const nf = new Intl.NumberFormat(locale(), { style: 'currency', currency });
    const digits = nf.resolvedOptions().maximumFractionDigits;
    return nf.format(minor / 10 ** digits);
  } catch {
    return `${minor} ${currency}`;
  }
}

export function dateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeStyle: 'short' }).format(d);
}

export function date(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long' }).format(d);
}

// Time of day with seconds, for the scan station's list of scans.
export function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { timeStyle: 'medium' }).format(d);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

// Switch language, remember it, drop ?lang= from the address so it no longer overrides.
export function setLang(next) {
  if (!LANGS.includes(next) || next === current) return;
  current = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORE_KEY, next);
  } catch {
    /* not remembered; still switched */
  }
  const url = new URL(location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.delete('lang');
    history.replaceState(history.state, '', url);
  }
  translateStatic();
  for (const fn of listeners) fn(next);
}

// Elements with data-i18n="key" get their text from the dictionary.
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAria));
  }
}

// Two buttons, 日本語 / English, each naming its language in itself.
export function mountLangToggle(container) {
  container.replaceChildren();
  container.setAttribute('role', 'group');
  container.setAttribute('data-i18n-aria', 'lang.label');
  container.setAttribute('aria-label', t('lang.label'));
  const names = { ja: '日本語', en: 'English' };
  const buttons = LANGS.map((code) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.lang = code;
    b.className = 'lang-btn';
    b.textContent = names[code];
    b.addEventListener('click', () => setLang(code));
    container.append(b);
    return b;
  });
  const sync = () => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.lang === current)));
  sync();
  onLangChange(sync);
}
