/*
 * emulator: the libmicrohttpd front end.  A pool of epoll threads accepts
 * on 127.0.0.1.  Each request's body is collected, then the connection is
 * suspended for the configured latency (a timer thread resumes it, so a
 * 25 ms latency does not hold a pool thread for 25 ms), then emu_handle()
 * decides and the verdict becomes a response, a silent close (dropped
 * create) or a reset (SO_LINGER 0, so the peer sees RST).
 */
#include "emulator/emulator.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct pending {
	struct MHD_Connection *conn;
	struct timespec wake;
	struct pending *next;
};

struct emu_server {
	struct emu *emu;
	struct MHD_Daemon *d;
	struct ps_buf cert, key;	/* PEM text, alive as long as d */
	pthread_t timer;
	bool timer_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct pending *pending;	/* sorted by wake time */
	bool stopping;
};

enum phase { PH_NEW, PH_BODY, PH_WAITING, PH_READY };

struct conn_req {
	char *target;
	struct ps_buf body;
	bool too_large;
	enum phase phase;
	bool slow_create;	/* carried out even when the client left */
};

struct header_vec {
	struct emu_header *items;
	size_t nr, alloc;
};

static bool
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *
timer_main(void *arg)
{
	struct emu_server *srv = arg;
	struct timespec now;
	struct pending *p;

	pthread_mutex_lock(&srv->lock);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		while ((p = srv->pending) &&
		    (srv->stopping || !ts_before(&now, &p->wake))) {
			srv->pending = p->next;
			MHD_resume_connection(p->conn);
			free(p);
		}
		if (srv->stopping)
			break;
		if (srv->pending)
			pthread_cond_timedwait(&srv->cond, &srv->lock,
			    &srv->pending->wake);
		else
			pthread_cond_wait(&srv->cond, &srv->lock);
	}
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* Suspend conn for ms milliseconds; false when shutting down. */
static bool
delay(struct emu_server *srv, struct MHD_Connection *conn, unsigned ms)
{
	struct pending *p, **pp;

	pthread_mutex_lock(&srv->lock);
	if (srv->stopping) {
		pthread_mutex_unlock(&srv->lock);
		return false;
	}
	p = xcalloc(1, sizeof(*p));
	p->conn = conn;
	clock_gettime(CLOCK_MONOTONIC, &p->wake);
	p->wake.tv_sec += ms / 1000;
	p->wake.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (p->wake.tv_nsec >= 1000000000L) {
		p->wake.tv_sec++;
		p->wake.tv_nsec -= 1000000000L;
	}
	for (pp = &srv->pending; *pp && !ts_before(&p->wake, &(*pp)->wake);
	    pp = &(*pp)->next)
		;
	p->next = *pp;
	*pp = p;
	MHD_suspend_connection(conn);
	pthread_cond_signal(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	return true;
}

static void *
uri_logger(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct conn_req *r = xcalloc(1, sizeof(*r));

	r->target = xstrdup(uri ? uri : "");
	return r;
}

static void carry_out(struct emu_server *srv, struct MHD_Connection *conn,
    const char *method, struct conn_req *r, struct emu_response *resp);

static void
completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct conn_req *r = *req_cls;

	if (!r)
		return;
	if (r->slow_create && r->phase == PH_WAITING) {
		/* the client gave up while it waited: the create still
		 * commits, as on a server that finishes what it received */
		struct emu_response resp = EMU_RESPONSE_INIT;
		carry_out(cls, conn, "POST", r, &resp);
		emu_response_release(&resp);
	}
	free(r->target);
	ps_buf_release(&r->body);
	free(r);
	*req_cls = NULL;
}

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct header_vec *v = cls;

	xgrow(&v->items, &v->alloc, v->nr + 1, sizeof(*v->items));
	v->items[v->nr].name = key;
	v->items[v->nr].value = value ? value : "";
	v->nr++;
	return MHD_YES;
}

/*
 * Reset the connection: the peer sees RST, not FIN.  SO_LINGER 0 alone is
 * not enough because MHD shuts the write side down (FIN) before closing;
 * connect(AF_UNSPEC) disconnects a TCP socket at once, with a reset.
 */
static void
reset_connection(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct linger lg = { 1, 0 };
	struct sockaddr unspec;

	if (!ci)
		return;
	setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	memset(&unspec, 0, sizeof(unspec));
	unspec.sa_family = AF_UNSPEC;
	(void)connect(ci->connect_fd, &unspec, sizeof(unspec));
}

/* emu_handle() on the collected request. */
static void
carry_out(struct emu_server *srv, struct MHD_Connection *conn,
    const char *method, struct conn_req *r, struct emu_response *resp)
{
	struct header_vec hv = { 0 };
	struct emu_request req = { 0 };

	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hv);
	req.method = method;
	req.target = r->target;
	req.headers = hv.items;
	req.nr_headers = hv.nr;
	req.body = r->body.len ? r->body.ptr : NULL;
	req.body_len = r->body.len;
	req.body_too_large = r->too_large;
	emu_handle(srv->emu, &req, resp);
	free(hv.items);
	r->phase = PH_READY;
}

static enum MHD_Result
respond(struct emu_server *srv, struct MHD_Connection *conn,
    const char *method, struct conn_req *r)
{
	struct emu_response resp = EMU_RESPONSE_INIT;
	struct MHD_Response *mr;
	enum MHD_Result ret = MHD_NO;
	size_t len;
	char *body;

	carry_out(srv, conn, method, r, &resp);
	if (resp.action == EMU_RESET)
		reset_connection(conn);
	if (resp.action != EMU_RESPOND)
		goto out;	/* MHD_NO: MHD closes the connection */
	len = resp.body.len;
	body = ps_buf_detach(&resp.body);
	mr = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!mr) {
		free(body);
		goto out;
	}
	MHD_add_response_header(mr, "Content-Type", resp.content_type ?
	    resp.content_type : "application/json");
	MHD_add_response_header(mr, "x-request-id", resp.request_id);
	if (resp.allow)
		MHD_add_response_header(mr, "Allow", resp.allow);
	if (resp.retry_after)
		MHD_add_response_header(mr, "Retry-After", resp.retry_after);
	if (resp.retry_after_ms)
		MHD_add_response_header(mr, "retry-after-ms",
		    resp.retry_after_ms);
	ret = MHD_queue_response(conn, resp.status, mr);
	MHD_destroy_response(mr);
out:
	emu_response_release(&resp);
	return ret;
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct emu_server *srv = cls;
	struct conn_req *r = *req_cls;
	unsigned ms;

	if (!r)			/* no URI callback ran: cannot happen */
		return MHD_NO;
	if (r->phase == PH_NEW) {
		r->phase = PH_BODY;	/* headers only; the body follows */
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (r->body.len + *upload_data_size > EMU_MAX_BODY)
			r->too_large = true;	/* keep reading, answer 413 */
		else
			ps_buf_add(&r->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->phase == PH_BODY) {
		r->phase = PH_READY;
		ms = emu_slow_create_ms(srv->emu, method, r->target);
		r->slow_create = ms > 0;
		ms += emu_delay_ms(srv->emu, r->target);
		if (ms && delay(srv, conn, ms)) {
			r->phase = PH_WAITING;
			return MHD_YES;
		}
	}
	return respond(srv, conn, method, r);
}

int
emu_server_start(struct emu_server **out, struct emu *emu,
    const struct emu_server_options *opts, unsigned *port_out)
{
	struct emu_server *srv = xcalloc(1, sizeof(*srv));
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_ALLOW_SUSPEND_RESUME;
	unsigned threads = opts->threads;
	int err = 0;

	*out = NULL;
	srv->emu = emu;
	pthread_mutex_init(&srv->lock, NULL);
	{
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&srv->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 2 ? 2 : n > 16 ? 16 : (unsigned)n;
	}
	if (!!opts->tls_cert != !!opts->tls_key) {
		err = ps_error(PS_EUSAGE, "--tls-cert and --tls-key go together");
		goto out;
	}
	if (opts->tls_cert) {
		if ((err = ps_read_file(&srv->cert, opts->tls_cert, 1 << 20)) < 0 ||
		    (err = ps_read_file(&srv->key, opts->tls_key, 1 << 20)) < 0)
			goto out;
		flags |= MHD_USE_TLS;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)opts->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (pthread_create(&srv->timer, NULL, timer_main, srv) != 0) {
		err = ps_error(PS_EFAIL, "cannot start the timer thread");
		goto out;
	}
	srv->timer_started = true;
	if (opts->tls_cert)
		srv->d = MHD_start_daemon(flags, 0, NULL, NULL, access_handler,
		    srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_THREAD_POOL_SIZE, threads,
		    MHD_OPTION_URI_LOG_CALLBACK, uri_logger, srv,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
		    MHD_OPTION_CONNECTION_TIMEOUT, 120u,
		    MHD_OPTION_HTTPS_MEM_CERT, srv->cert.ptr,
		    MHD_OPTION_HTTPS_MEM_KEY, srv->key.ptr,
		    MHD_OPTION_END);
	else
		srv->d = MHD_start_daemon(flags, 0, NULL, NULL, access_handler,
		    srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_THREAD_POOL_SIZE, threads,
		    MHD_OPTION_URI_LOG_CALLBACK, uri_logger, srv,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
		    MHD_OPTION_CONNECTION_TIMEOUT, 120u,
		    MHD_OPTION_END);
	if (!srv->d) {
		err = ps_error(PS_EFAIL, "cannot listen on 127.0.0.1:%u%s",
		    opts->port, opts->tls_cert ? " (or the TLS certificate "
		    "or key is not valid PEM)" : " (port in use?)");
		goto out;
	}
	di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	*port_out = di ? di->port : opts->port;
	*out = srv;
	srv = NULL;
out:
	emu_server_stop(srv);
	return err;
}

void
emu_server_stop(struct emu_server *srv)
{
	if (!srv)
		return;
	/* resume every suspended connection first: stopping MHD with
	 * suspended connections is an API violation */
	pthread_mutex_lock(&srv->lock);
	srv->stopping = true;
	pthread_cond_signal(&srv->cond);
	pthread_mutex_unlock(&srv->lock);
	if (srv->timer_started)
		pthread_join(srv->timer, NULL);
	if (srv->d)
		MHD_stop_daemon(srv->d);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->cond);
	ps_buf_release(&srv->cert);
	ps_buf_release(&srv->key);
	free(srv);
}
