/* Locks, and the MemoryBIO and SSLObject calls that take them.

   cffi releases the GIL in every call, and neither a memory BIO nor an SSL
   may be used by two threads at once, so a MemoryBIO holds its lock around
   each call, and an SSLObject the locks of both its BIOs around each of its
   own.  Taken here, in the same crossing as the OpenSSL call, a lock costs a
   few dozen instructions; a Python lock costs a with-block (about 2,000
   instructions on CPython 3.11), and an echo round trip takes twelve
   (bench/RESULTS.md).  Blocking here holds no GIL.  Recursive, because
   Python callbacks that run inside a call (a foreign BIO, a message
   callback) may use the same objects on the same thread. */
#include "ssl_bio.h"

#include <stdlib.h>

struct ssl_bio_lock {
    pthread_mutex_t mutex;
};

ssl_bio_lock *ssl_bio_lock_new(void)
{
    pthread_mutexattr_t attributes;
    ssl_bio_lock *lock = malloc(sizeof(*lock));
    if (lock == NULL)
        return NULL;
    if (pthread_mutexattr_init(&attributes) != 0) {
        free(lock);
        return NULL;
    }
    if (pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE) != 0
        || pthread_mutex_init(&lock->mutex, &attributes) != 0) {
        pthread_mutexattr_destroy(&attributes);
        free(lock);
        return NULL;
    }
    pthread_mutexattr_destroy(&attributes);
    return lock;
}

void ssl_bio_lock_free(ssl_bio_lock *lock)
{
    pthread_mutex_destroy(&lock->mutex);
    free(lock);
}

/* For the CPython accelerator (accel.c), which holds the GIL: try first,
   and release the GIL only to wait. */
int ssl_bio_lock_try(ssl_bio_lock *lock)
{
    return pthread_mutex_trylock(&lock->mutex) == 0;
}

void ssl_bio_lock_acquire(ssl_bio_lock *lock)
{
    pthread_mutex_lock(&lock->mutex);
}

void ssl_bio_lock_release(ssl_bio_lock *lock)
{
    pthread_mutex_unlock(&lock->mutex);
}

/* What OpenSSL calls need before them so that SSL_get_error() and the
   error queue describe this call alone.  Looking first costs about 200
   instructions, ERR_clear_error() about 800, and the queue is nearly
   always empty. */
void ssl_bio_clear_errors(void)
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}

/* --- MemoryBIO --------------------------------------------------------- */

/* MemoryBIO(): its memory BIO and its lock in one crossing.  An empty
   memory BIO means "no data yet", not EOF: OpenSSL should ask again (retry)
   until write_eof() makes its EOF return 0.  1, or 0 if out of memory
   (nothing made).  The caller owns both (MemoryBIO frees each with ffi.gc:
   an SSLObject keeps the lock alive after the MemoryBIO is gone). */
int ssl_bio_memory_init(ssl_bio_memory *memory)
{
    BIO *bio = BIO_new(BIO_s_mem());
    ssl_bio_lock *lock;
    if (bio == NULL)
        return 0;
    BIO_set_retry_read(bio);
    BIO_set_mem_eof_return(bio, -1);
    if ((lock = ssl_bio_lock_new()) == NULL) {
        BIO_free(bio);
        return 0;
    }
    memory->bio = bio;
    memory->lock = lock;
    return 1;
}

int ssl_bio_memory_pending(const ssl_bio_memory *memory)
{
    size_t pending;
    pthread_mutex_lock(&memory->lock->mutex);
    pending = BIO_ctrl_pending(memory->bio);
    pthread_mutex_unlock(&memory->lock->mutex);
    /* A memory BIO never holds more than INT_MAX: BIO_write takes an int. */
    return (int)pending;
}

/* MemoryBIO.read(): at most size bytes, never more than are pending, into
   buf.  Returns the count; or, when more than capacity bytes are to be read,
   reads nothing and returns minus that number (below -1: the caller gets a
   buffer that large and asks again); -1 if BIO_read failed. */
int ssl_bio_memory_read(const ssl_bio_memory *memory, char *buf, int size, int capacity)
{
    int result;
    pthread_mutex_lock(&memory->lock->mutex);
    size = ssl_bio_memory_readable(memory, size);
    if (size == 0)
        result = 0;
    else if (size > capacity)
        result = -size;
    else
        result = ssl_bio_memory_read_locked(memory, buf, size);
    pthread_mutex_unlock(&memory->lock->mutex);
    return result;
}

/* With the BIO's lock held: how many of size bytes a read returns. */
int ssl_bio_memory_readable(const ssl_bio_memory *memory, int size)
{
    size_t pending = BIO_ctrl_pending(memory->bio);
    return (size_t)size > pending ? (int)pending : size;
}

/* With the BIO's lock held: read size (> 0, readable) bytes; -1 on failure. */
int ssl_bio_memory_read_locked(const ssl_bio_memory *memory, char *buf, int size)
{
    int result = BIO_read(memory->bio, buf, size);
    return result <= 0 ? -1 : result;
}

int ssl_bio_memory_write(const ssl_bio_memory *memory, const char *data, int len)
{
    int result;
    pthread_mutex_lock(&memory->lock->mutex);
    result = BIO_write(memory->bio, data, len);
    pthread_mutex_unlock(&memory->lock->mutex);
    return result;
}

/* MemoryBIO.write_eof(): from now on an empty BIO reports EOF (0) instead
   of "retry" (-1). */
void ssl_bio_memory_write_eof(const ssl_bio_memory *memory)
{
    pthread_mutex_lock(&memory->lock->mutex);
    BIO_set_mem_eof_return(memory->bio, 0);
    pthread_mutex_unlock(&memory->lock->mutex);
}

/* --- SSLObject --------------------------------------------------------- */

/* first and second are ordered by address (_bio.io_locks), one order for
   every thread; they may be the same lock. */
void ssl_bio_connection_lock(const ssl_bio_connection *connection)
{
    pthread_mutex_lock(&connection->first->mutex);
    if (connection->second != connection->first)
        pthread_mutex_lock(&connection->second->mutex);
}

void ssl_bio_connection_unlock(const ssl_bio_connection *connection)
{
    if (connection->second != connection->first)
        pthread_mutex_unlock(&connection->second->mutex);
    pthread_mutex_unlock(&connection->first->mutex);
}

/* SSLObject.read() and write() under the connection's locks.  Return the
   byte count, or minus SSL_get_error()'s answer.  read() returns 0 for a
   clean EOF (the peer's close_notify, ours not sent yet), and gives the
   record buffers back when it runs out of input: an idle connection keeps
   no 16 KiB buffer (SSL_MODE_RELEASE_BUFFERS misses a read that processed
   only handshake messages, such as TLS 1.3 session tickets; bench W5). */
long ssl_bio_connection_read(const ssl_bio_connection *connection, char *buf, size_t num)
{
    long result;
    ssl_bio_connection_lock(connection);
    result = ssl_bio_connection_read_locked(connection->ssl, buf, num);
    ssl_bio_connection_unlock(connection);
    return result;
}

long ssl_bio_connection_write(const ssl_bio_connection *connection, const char *buf,
                              size_t num)
{
    long result;
    ssl_bio_connection_lock(connection);
    result = ssl_bio_connection_write_locked(connection->ssl, buf, num);
    ssl_bio_connection_unlock(connection);
    return result;
}

/* The same, for a caller that holds the connection's locks (accel.c). */
long ssl_bio_connection_read_locked(SSL *ssl, char *buf, size_t num)
{
    size_t count = 0;
    long result;
    ssl_bio_clear_errors();
    if (SSL_read_ex(ssl, buf, num, &count)) {
        result = (long)count;
    } else {
        int error = SSL_get_error(ssl, 0);
        if (error == SSL_ERROR_WANT_READ)
            SSL_free_buffers(ssl);
        if (error == SSL_ERROR_ZERO_RETURN && SSL_get_shutdown(ssl) == SSL_RECEIVED_SHUTDOWN) {
            ERR_clear_error();
            result = 0;
        } else {
            result = -(long)error;
        }
    }
    return result;
}

long ssl_bio_connection_write_locked(SSL *ssl, const char *buf, size_t num)
{
    size_t count = 0;
    ssl_bio_clear_errors();
    if (SSL_write_ex(ssl, buf, num, &count))
        return (long)count;
    return -(long)SSL_get_error(ssl, 0);
}

/* One step of SSLObject.do_handshake() in one crossing, as every call into
   C costs the Python side a GIL release and reacquire, and a handshake
   takes several steps: its context's lock shared (the handshake reads the
   SSL_CTX), SSL_do_handshake, and what the caller needs to know after it.
   Returns SSL_get_error's answer (SSL_ERROR_NONE once the handshake is
   done) shifted left by one, bit 0 saying whether the connection may still
   run handshake code (ssl_bio_may_handshake); -1 if out of memory, having
   done nothing.  The caller holds the connection's locks (taken before the
   context's, as everywhere). */
int ssl_bio_handshake_locked(SSL *ssl, ssl_bio_context_lock *context_lock)
{
    int status;
    if (ssl_bio_context_lock_acquire_shared(context_lock) != 0)
        return -1;
    ssl_bio_clear_errors();
    status = SSL_get_error(ssl, SSL_do_handshake(ssl));
    (void)ssl_bio_context_lock_release_shared(context_lock);
    return status << 1 | ssl_bio_may_handshake(ssl);
}

/* SSLObject's shutdown: ERR_clear_error() and the call in one crossing.  The
   caller holds the connection's locks. */
int ssl_bio_shutdown(SSL *ssl)
{
    ssl_bio_clear_errors();
    return SSL_shutdown(ssl);
}

/* --- The foreign BIO ---------------------------------------------------- */

/* The retry flags, the handle and the controls OpenSSL asks for but no
   MemoryBIO answers are dealt with here: each would otherwise be a call
   from the Python callback back into C, or a callback for nothing. */
static int foreign_read(BIO *bio, char *buf, int size)
{
    int result;
    BIO_clear_retry_flags(bio);
    result = ssl_bio_foreign_read(BIO_get_data(bio), buf, size);
    if (result == SSL_BIO_FOREIGN_RETRY) {
        BIO_set_retry_read(bio);
        return -1;
    }
    return result;
}

static int foreign_write(BIO *bio, const char *buf, int size)
{
    BIO_clear_retry_flags(bio);
    return ssl_bio_foreign_write(BIO_get_data(bio), buf, size);
}

/* What a BIO over a MemoryBIO-like object answers a control without asking
   the object: 1 if only the object can answer (BIO_CTRL_PENDING, _EOF),
   else 0 with the answer in *answer (a flush succeeds; the rest are not
   supported). */
int ssl_bio_ctrl_asks_object(int cmd, long *answer)
{
    if (cmd == BIO_CTRL_PENDING || cmd == BIO_CTRL_EOF)
        return 1;
    *answer = cmd == BIO_CTRL_FLUSH ? 1 : 0;
    return 0;
}

static long foreign_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    long answer;
    (void)num;
    (void)ptr;
    if (!ssl_bio_ctrl_asks_object(cmd, &answer))
        return answer;
    return ssl_bio_foreign_ctrl(BIO_get_data(bio), cmd);
}

/* A new BIO_METHOD for foreign BIOs (ssl_bio makes one per process), or
   NULL. */
BIO_METHOD *ssl_bio_foreign_method(void)
{
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                      "ssl_bio foreign BIO");
    if (method == NULL)
        return NULL;
    if (!BIO_meth_set_read(method, foreign_read) || !BIO_meth_set_write(method, foreign_write)
        || !BIO_meth_set_ctrl(method, foreign_ctrl)) {
        BIO_meth_free(method);
        return NULL;
    }
    return method;
}
