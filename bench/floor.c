/* The C floor for ssl_bio's benchmark: the same workloads as bench/run.py,
 * written directly against OpenSSL's memory BIOs with the same context
 * settings (client verifies the certificate and the host name).
 *
 *   floor WORKLOAD COUNT CAFILE CERTFILE KEYFILE [SIZE]
 *
 * WORKLOAD: bulk | small64 | small16k | handshake13 | handshake12 | resume13 | memory
 * Prints one line: "<value> <unit>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* CPython 3.13's default cipher string, as ssl_bio and the stdlib use it. */
#define CIPHERS "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:" \
                "!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM"

struct endpoint {
    SSL *ssl;
    BIO *in;   /* bytes from the peer */
    BIO *out;  /* bytes for the peer */
};

struct pair {
    struct endpoint client, server;
};

static unsigned char move_buffer[1 << 17];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "floor: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static SSL_CTX *client_context(const char *cafile, int tls12_only)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_options(ctx, (SSL_OP_ALL & ~SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS) |
                                 SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_SINGLE_DH_USE | SSL_OP_SINGLE_ECDH_USE);
    SSL_CTX_set_cipher_list(ctx, CIPHERS);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (tls12_only)
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), X509_V_FLAG_TRUSTED_FIRST);
    X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(ctx),
                                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1)
        die("load_verify_locations");
    return ctx;
}

static SSL_CTX *server_context(const char *certfile, const char *keyfile)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_options(ctx, (SSL_OP_ALL & ~SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS) |
                                 SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_SINGLE_DH_USE | SSL_OP_SINGLE_ECDH_USE);
    SSL_CTX_set_cipher_list(ctx, CIPHERS);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"Python", 7);
    if (SSL_CTX_use_certificate_chain_file(ctx, certfile) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, keyfile, SSL_FILETYPE_PEM) != 1)
        die("load_cert_chain");
    return ctx;
}

static void endpoint_init(struct endpoint *e, SSL_CTX *ctx, int server)
{
    e->ssl = SSL_new(ctx);
    e->in = BIO_new(BIO_s_mem());
    e->out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(e->in, -1);
    BIO_set_mem_eof_return(e->out, -1);
    BIO_up_ref(e->in);
    BIO_up_ref(e->out);
    SSL_set_bio(e->ssl, e->in, e->out);
    SSL_set_mode(e->ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY);
    if (server)
        SSL_set_accept_state(e->ssl);
    else
        SSL_set_connect_state(e->ssl);
}

static void endpoint_free(struct endpoint *e)
{
    SSL_free(e->ssl);
    BIO_free(e->in);
    BIO_free(e->out);
}

static void pair_init(struct pair *p, SSL_CTX *client_ctx, SSL_CTX *server_ctx,
                      SSL_SESSION *session)
{
    endpoint_init(&p->client, client_ctx, 0);
    endpoint_init(&p->server, server_ctx, 1);
    SSL_set_tlsext_host_name(p->client.ssl, "localhost");
    X509_VERIFY_PARAM_set1_host(SSL_get0_param(p->client.ssl), "localhost", 9);
    if (session != NULL)
        SSL_set_session(p->client.ssl, session);
}

static void pair_free(struct pair *p)
{
    /* As a dropped Python object: no close_notify, but the session survives. */
    SSL_set_shutdown(p->client.ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(p->server.ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    endpoint_free(&p->client);
    endpoint_free(&p->server);
}

/* Move everything one side wrote to the other side, through a buffer, as the
 * Python runner does with outgoing.read() / incoming.write(). */
static size_t move(BIO *from, BIO *to)
{
    size_t moved = 0;
    int n;
    while ((n = BIO_read(from, move_buffer, sizeof(move_buffer))) > 0) {
        BIO_write(to, move_buffer, n);
        moved += n;
    }
    return moved;
}

static size_t pump(struct pair *p)
{
    return move(p->client.out, p->server.in) + move(p->server.out, p->client.in);
}

static void handshake(struct pair *p)
{
    int client_done = 0, server_done = 0, rounds = 0;
    while (!(client_done && server_done)) {
        if (!client_done) {
            int r = SSL_do_handshake(p->client.ssl);
            if (r == 1)
                client_done = 1;
            else if (SSL_get_error(p->client.ssl, r) != SSL_ERROR_WANT_READ)
                die("client handshake");
        }
        if (!server_done) {
            int r = SSL_do_handshake(p->server.ssl);
            if (r == 1)
                server_done = 1;
            else if (SSL_get_error(p->server.ssl, r) != SSL_ERROR_WANT_READ)
                die("server handshake");
        }
        pump(p);
        if (++rounds > 20)
            die("handshake did not finish");
    }
    pump(p);
}

/* Read until `want` bytes arrived (or WANT_READ with nothing left). */
static size_t read_some(SSL *ssl, unsigned char *buf, size_t size)
{
    size_t got = 0;
    if (SSL_read_ex(ssl, buf, size, &got) == 1)
        return got;
    if (SSL_get_error(ssl, 0) != SSL_ERROR_WANT_READ)
        die("read");
    return 0;
}

static void write_all(SSL *ssl, const unsigned char *buf, size_t size)
{
    size_t written;
    if (SSL_write_ex(ssl, buf, size, &written) != 1 || written != size)
        die("write");
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages_total, pages_resident;
    if (f == NULL || fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2)
        die("statm");
    fclose(f);
    return pages_resident * 4;
}

int main(int argc, char **argv)
{
    if (argc < 6)
        die("usage: floor WORKLOAD COUNT CAFILE CERTFILE KEYFILE [SIZE]");
    const char *workload = argv[1];
    long count = atol(argv[2]);
    int tls12 = strcmp(workload, "handshake12") == 0;
    SSL_CTX *client_ctx = client_context(argv[3], tls12);
    SSL_CTX *server_ctx = server_context(argv[4], argv[5]);
    if (tls12)
        SSL_CTX_set_cipher_list(client_ctx, "ECDHE-ECDSA-AES256-GCM-SHA384");
    static unsigned char data[16384], sink[16384];
    memset(data, 'x', sizeof(data));
    struct pair p;
    double start;

    if (strcmp(workload, "bulk") == 0 || strcmp(workload, "bulkinto") == 0) {
        /* COUNT MiB in 16 KiB writes, client to server.  C always reads into
           a buffer of its own: the same program for both rows. */
        pair_init(&p, client_ctx, server_ctx, NULL);
        handshake(&p);
        long writes = count * 64;
        start = now();
        for (long i = 0; i < writes; i++) {
            write_all(p.client.ssl, data, sizeof(data));
            move(p.client.out, p.server.in);
            size_t got = 0;
            while (got < sizeof(data))
                got += read_some(p.server.ssl, sink, sizeof(sink));
        }
        double elapsed = now() - start;
        printf("%.1f MB/s\n", writes * 16384.0 / elapsed / 1e6);
        return 0;
    }
    if (strcmp(workload, "small64") == 0 || strcmp(workload, "small16k") == 0) {
        size_t read_size = strcmp(workload, "small64") == 0 ? 64 : 16384;
        pair_init(&p, client_ctx, server_ctx, NULL);
        handshake(&p);
        read_some(p.client.ssl, sink, sizeof(sink)); /* TLS 1.3 tickets */
        start = now();
        for (long i = 0; i < count; i++) {
            write_all(p.client.ssl, data, 64);
            move(p.client.out, p.server.in);
            size_t got = read_some(p.server.ssl, sink, read_size);
            write_all(p.server.ssl, sink, got);
            move(p.server.out, p.client.in);
            if (read_some(p.client.ssl, sink, read_size) != 64)
                die("echo");
        }
        printf("%.0f round-trips/s\n", count / (now() - start));
        return 0;
    }
    if (strncmp(workload, "handshake", 9) == 0) {
        start = now();
        for (long i = 0; i < count; i++) {
            pair_init(&p, client_ctx, server_ctx, NULL);
            handshake(&p);
            pair_free(&p);
        }
        printf("%.1f handshakes/s\n", count / (now() - start));
        return 0;
    }
    if (strcmp(workload, "resume13") == 0) {
        pair_init(&p, client_ctx, server_ctx, NULL);
        handshake(&p);
        read_some(p.client.ssl, sink, sizeof(sink)); /* process the tickets */
        SSL_SESSION *session = SSL_get1_session(p.client.ssl);
        pair_free(&p);
        start = now();
        for (long i = 0; i < count; i++) {
            pair_init(&p, client_ctx, server_ctx, session);
            handshake(&p);
            if (!SSL_session_reused(p.client.ssl))
                die("not resumed");
            pair_free(&p);
        }
        printf("%.1f handshakes/s\n", count / (now() - start));
        SSL_SESSION_free(session);
        return 0;
    }
    if (strcmp(workload, "memory") == 0) {
        struct pair *pairs = calloc(count, sizeof(*pairs));
        long before = rss_kib();
        for (long i = 0; i < count; i++) {
            pair_init(&pairs[i], client_ctx, server_ctx, NULL);
            handshake(&pairs[i]);
            read_some(pairs[i].client.ssl, sink, sizeof(sink));
        }
        long after = rss_kib();
        printf("%.0f bytes/pair\n", (after - before) * 1024.0 / count);
        return 0;
    }
    die("unknown workload");
    return 1;
}
