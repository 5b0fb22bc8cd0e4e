/* kaeru-worker: the dispatcher. Delivers webhooks (signed POSTs through libcurl), sends the
 * customer e-mail through KAERU_SMTP_URL (worker/mail.c), and runs the
 * maintenance of `kaeru-admin maintenance` every few minutes. A thread of its own, with its own
 * connection, keeps the data derived behind the requests: it writes the console search's terms
 * of queued returns in batches (db/search.c) and folds the analytics deltas that return plans
 * queued into the day rows (db/analytics.c), so a new return is found, and counted, within
 * about a second whatever a webhook's send waits for; --search-only runs that alone. Several
 * workers on several hosts share the work: each delivery is claimed by a guarded UPDATE with a
 * lease (db/events.c), which stays correct on Galera where SKIP LOCKED only sees its own node.
 * SIGTERM or SIGINT: the send in progress finishes and is recorded, then the worker exits. */
#include "admin/maintenance.h"
#include "db/events.h"
#include "db/search.h"
#include "db/store.h"
#include "util/config.h"
#include "util/url.h"
#include "worker/mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLAIM_MAX         10
#define LEASE_S           60 /* longer than a send (10 s) and its bookkeeping */
#define SEND_TIMEOUT_S    10
#define RETRY_WINDOW_S    (72 * 3600)
#define IDLE_POLL_MS      500
#define MAINTENANCE_EVERY 300
#define RESPONSE_KEEP     256  /* bytes of an answer kept for the error column */
#define INDEX_BATCH       500  /* queued returns the search's indexer writes a transaction */
#define FOLD_BATCH        500  /* queued analytics deltas it folds a transaction */
#define INDEX_POLL_MS     100  /* the indexer's first pause when the queue is empty, */
#define INDEX_IDLE_MS     1000 /* doubling up to this while it stays empty */
#define INDEX_BACKOFF_MS  2000

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL); /* a signal cuts it short, which is what stopping wants */
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s kaeru-worker: ", stamp);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>"; the key is the secret as the
 * merchant was shown it (its 64 hex characters). */
static void signature(const char *secret, int64_t t, const char *body, char *out, size_t outlen)
{
	char stamp[24];
	snprintf(stamp, sizeof(stamp), "%lld", (long long)t);
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, strlen(stamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[sizeof(mac) * 2 + 1];
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, outlen, "t=%s,v1=%s", stamp, hex);
}

struct answer {
	char text[RESPONSE_KEEP + 1];
	size_t len;
};

static size_t keep_answer(char *data, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n, room = RESPONSE_KEEP - a->len;
	size_t take = len < room ? len : room;
	memcpy(a->text + a->len, data, take);
	a->len += take;
	a->text[a->len] = '\0';
	return len;
}

/* One attempt. Returns the HTTP status (0 when none came) and, when it failed, why in err. */
static long send_one(const struct config *cfg, const struct delivery_job *job, char *err,
                     size_t errlen)
{
	struct url_target t;
	err[0] = '\0';
	if (!url_parse(job->url, &t)) {
		snprintf(err, errlen, "the URL is not an http(s) URL");
		return 0;
	}
	/* Checked again now: the name may point elsewhere than when the webhook was set. */
	const char *why = url_resolve(&t, cfg->webhook_allow_private);
	if (why) {
		snprintf(err, errlen, "refused: %s", why);
		return 0;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(err, errlen, "libcurl could not start");
		return 0;
	}
	/* Connect to the very address that was checked: DNS cannot swap it in between. */
	char pin[URL_HOST_MAX + URL_ADDR_MAX + 16];
	snprintf(pin, sizeof(pin), strchr(t.addr, ':') ? "%s:%u:[%s]" : "%s:%u:%s", t.host, t.port,
	         t.addr);
	struct curl_slist *resolve = curl_slist_append(NULL, pin);
	char sig[160], h_id[64], h_type[96];
	signature(job->secret, (int64_t)time(NULL), job->body, sig, sizeof(sig));
	char h_sig[192];
	snprintf(h_sig, sizeof(h_sig), "Kaeru-Signature: %s", sig);
	snprintf(h_id, sizeof(h_id), "Kaeru-Event-Id: %lld", (long long)job->event_id);
	snprintf(h_type, sizeof(h_type), "Kaeru-Event-Type: %s", job->type);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = curl_slist_append(headers, h_id);
	headers = curl_slist_append(headers, h_type);
	headers = curl_slist_append(headers, h_sig);
	headers = curl_slist_append(headers, "Expect:");
	struct answer a = {.len = 0};
	char curl_err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, job->url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* never through a proxy from the environment */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect is an answer, not a hop */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, job->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(job->body));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kaeru-worker");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	long status = 0;
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		snprintf(err, errlen, "HTTP %ld: %.200s", status, a.text);
	curl_slist_free_all(headers);
	curl_slist_free_all(resolve);
	curl_easy_cleanup(c);
	return status;
}

/* The pause before the next attempt after `attempts` failed ones: base, then doubling. */
static int64_t backoff(int base_s, int64_t attempts)
{
	int64_t d = base_s;
	for (int64_t i = 1; i < attempts && d < RETRY_WINDOW_S; i++)
		d *= 2;
	return d;
}

static void deliver(struct db *db, const struct config *cfg, const char *me,
                    const struct delivery_job *job)
{
	char err[256];
	long status = send_one(cfg, job, err, sizeof(err));
	bool ok = status >= 200 && status <= 299;
	int64_t now = (int64_t)time(NULL), attempts = job->attempts + 1;
	int64_t deadline = job->created_at + RETRY_WINDOW_S;
	int64_t next = now + backoff(cfg->retry_base_s, attempts);
	bool give_up = !ok && now >= deadline;
	if (!ok && next > deadline)
		next = deadline; /* one last attempt at the end of the window */
	enum kaeru_err e = store_delivery_attempted(db, me, job->id, ok, (int)status,
	                                            ok ? NULL : err, give_up, next);
	if (e != KAERU_OK)
		say("delivery %lld: could not record the attempt: %s", (long long)job->id,
		    db->last_error);
	else if (!ok)
		say("delivery %lld (event %lld) attempt %lld failed: %s%s", (long long)job->id,
		    (long long)job->event_id, (long long)attempts, err,
		    give_up ? "; given up, webhook paused" : "");
}

static void send_email(struct db *db, const struct config *cfg, const char *me,
                       const struct email_job *job)
{
	char err[256] = "";
	bool sent = mail_send(db, cfg, job, err, sizeof(err));
	int64_t now = (int64_t)time(NULL), attempts = job->attempts + 1;
	int64_t deadline = job->created_at + RETRY_WINDOW_S;
	int64_t next = now + backoff(cfg->retry_base_s, attempts);
	bool give_up = !sent && now >= deadline;
	if (!sent && next > deadline)
		next = deadline;
	if (store_email_attempted(db, me, job->id, sent, sent ? NULL : err, give_up, next) !=
	    KAERU_OK)
		say("e-mail %lld: could not record the attempt: %s", (long long)job->id,
		    db->last_error);
	else if (!sent)
		say("e-mail %lld (%s of %s) attempt %lld failed: %s", (long long)job->id, job->kind,
		    job->rma, (long long)attempts, err);
}

static enum kaeru_err index_tx(struct db *db, void *arg)
{
	return store_search_index_queued(db, INDEX_BATCH, arg);
}

static enum kaeru_err fold_tx(struct db *db, void *arg)
{
	return store_analytics_fold(db, FOLD_BATCH, arg);
}

/* The indexer of derived data: batch after batch while the search's queue has returns or the
 * analytics' deltas (a transaction each); when both are empty, a pause of INDEX_POLL_MS
 * doubling up to INDEX_IDLE_MS (a new return is found and counted within about a second,
 * sooner while changes keep coming; an idle worker asks once a second, one statement). After
 * batches that emptied the queues, INDEX_POLL_MS before the next: under a steady stream of
 * changes each batch gathers that long's, not one or two (a transaction of ~10 statements
 * each). A longer pause after an error (the batch stays queued: nothing is lost). */
static void *indexer(void *arg)
{
	const struct config *cfg = arg;
	struct arena arena = {0};
	struct db db;
	memset(&db, 0, sizeof(db));
	bool connected = false;
	long pause = INDEX_POLL_MS;
	while (!stopping) {
		if (!connected && db_open(&db, cfg, &arena) != KAERU_OK) {
			say("search indexer: cannot connect to the database: %s; trying again",
			    db.last_error);
			sleep_ms(INDEX_BACKOFF_MS);
			continue;
		}
		connected = true;
		arena_reset(&arena);
		bool search = false, analytics = false, failed = false;
		int64_t indexed = 0, folded = 0;
		if (store_derived_pending(&db, &search, &analytics) != KAERU_OK)
			search = analytics = true; /* their transactions say what is wrong */
		else if (!search && !analytics) {
			sleep_ms(pause); /* idle: one statement a poll, no transaction */
			pause = pause * 2 < INDEX_IDLE_MS ? pause * 2 : INDEX_IDLE_MS;
			continue;
		}
		pause = INDEX_POLL_MS;
		if (search && db_tx_run(&db, index_tx, &indexed) != KAERU_OK) {
			say("search indexer: %s; trying again", db.last_error);
			failed = true;
		}
		if (analytics && db_tx_run(&db, fold_tx, &folded) != KAERU_OK) {
			say("analytics fold: %s; trying again", db.last_error);
			failed = true;
		}
		if (failed)
			sleep_ms(INDEX_BACKOFF_MS);
		else if (indexed < INDEX_BATCH && folded < FOLD_BATCH)
			sleep_ms(INDEX_POLL_MS); /* queues emptied: the next batch gathers a while */
	}
	db_close(&db);
	db_thread_end();
	arena_free(&arena);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *config_path = NULL;
	bool search_only = false; /* the search's indexer alone: no webhooks, e-mail, maintenance */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			config_path = argv[++i];
		else if (strcmp(argv[i], "--search-only") == 0)
			search_only = true;
		else {
			fprintf(stderr, "usage: kaeru-worker [-c config-file] [--search-only]\n");
			return 2;
		}
	}
	struct config cfg;
	char err[256];
	if (config_load(&cfg, config_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "kaeru-worker: %s\n", err);
		return 2;
	}
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "kaeru-worker: cannot initialise libsodium or libcurl\n");
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: sleeps end early */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Who claims: host, process and a random part, so a restarted worker is someone else. */
	char host[64] = "host", me[96];
	gethostname(host, sizeof(host) - 1);
	snprintf(me, sizeof(me), "%.60s:%ld:%08x", host, (long)getpid(), randombytes_random());

	db_library_init();
	if (search_only) {
		say("started: the search indexer only");
		indexer(&cfg);
		say("stopping");
		db_library_end();
		curl_global_cleanup();
		config_free(&cfg);
		return 0;
	}
	struct arena arena = {0};
	struct db db;
	memset(&db, 0, sizeof(db));
	while (!stopping && db_open(&db, &cfg, &arena) != KAERU_OK) {
		say("cannot connect to the database: %s; trying again", db.last_error);
		sleep_ms(2000);
	}
	say("started as %s", me);
	/* The indexer blocks SIGTERM and SIGINT: they reach this thread and cut its sleeps short.
	 */
	sigset_t stop_signals, before;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &before);
	pthread_t index_thread;
	int rc = pthread_create(&index_thread, NULL, indexer, &cfg);
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	bool indexing = rc == 0;
	if (!indexing)
		say("cannot start the search indexer: %s", strerror(rc));
	time_t next_maintenance = 0;
	while (!stopping) {
		if (time(NULL) >= next_maintenance) {
			struct maintenance_counts n;
			const char *what = NULL;
			if (maintenance_run(&db, &arena, &n, &what) != KAERU_OK)
				say("maintenance: %s failed: %s", what, db.last_error);
			else if (n.expired || n.reminders || n.sessions || n.failures ||
			         n.idempotency_keys)
				say("maintenance: expired %zu returns, queued %llu reminders, "
				    "removed %llu sessions, %llu failures and %llu idempotency "
				    "keys",
				    n.expired, (unsigned long long)n.reminders,
				    (unsigned long long)n.sessions, (unsigned long long)n.failures,
				    (unsigned long long)n.idempotency_keys);
			next_maintenance = time(NULL) + MAINTENANCE_EVERY;
		}
		arena_reset(&arena);
		struct delivery_job *jobs = NULL;
		size_t n = 0;
		if (store_deliveries_claim(&db, me, LEASE_S, CLAIM_MAX, &jobs, &n) != KAERU_OK) {
			say("claiming deliveries: %s", db.last_error);
			sleep_ms(1000);
			continue;
		}
		/* Once stopping, the claimed rest is left to its lease: another worker takes it. */
		for (size_t i = 0; i < n && !stopping; i++)
			deliver(&db, &cfg, me, &jobs[i]);
		size_t n_mail = 0;
		if (cfg.smtp_url && *cfg.smtp_url && !stopping) {
			arena_reset(&arena);
			struct email_job *mails = NULL;
			if (store_emails_claim(&db, me, LEASE_S, CLAIM_MAX, &mails, &n_mail) !=
			    KAERU_OK)
				say("claiming e-mail: %s", db.last_error);
			for (size_t i = 0; i < n_mail && !stopping; i++)
				send_email(&db, &cfg, me, &mails[i]);
		}
		if (n == 0 && n_mail == 0)
			sleep_ms(IDLE_POLL_MS);
	}
	say("stopping");
	if (indexing)
		pthread_join(index_thread, NULL);
	db_close(&db);
	db_thread_end();
	db_library_end();
	arena_free(&arena);
	curl_global_cleanup();
	config_free(&cfg);
	return 0;
}
