/* The CPython accelerator: the hot MemoryBIO and SSLObject calls, and the
   BIO that reads and writes the stdlib's ssl.MemoryBIO, as C-API functions
   compiled into the cffi module.

   Why: every cffi call releases and retakes the GIL (about 400 of the 700
   instructions of a trivial call), and every extern "Python" callback takes
   it, converts its arguments and runs a Python frame.  A 64-byte echo round
   trip makes a dozen such crossings.  These functions are called with the
   GIL held, keep it, and take the object's C locks with a trylock; only when
   another thread holds a lock do they release the GIL, to wait for it
   (never blocking on a lock while holding the GIL, which could deadlock
   against a thread in the cffi path that holds the lock and wants the GIL).
   The OpenSSL work itself (SSL_read, SSL_write) then runs with the GIL held,
   as in the stdlib it does not: a record is at most 16 KiB, and handshakes,
   which cost milliseconds, stay on the cffi path, which releases it.

   ssl_bio/_accel.py installs them at import (ssl_bio_accel_install), unless
   SSL_BIO_ACCELERATOR=0; everything they do is also done by the cffi path,
   which PyPy always takes (there cffi calls are cheap and the JIT sees
   through Python code).  Not the limited API: the wheels are built per
   Python version anyway, and METH_FASTCALL and the buffer protocol need it
   before 3.10/3.11 (docs/internals.md). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef PYPY_VERSION
#include <structmember.h> /* T_OBJECT_EX: the type of a __slots__ member */
#endif

#include "ssl_bio.h"

#include <limits.h>
#include <string.h>

#if defined(PYPY_VERSION) || defined(Py_GIL_DISABLED)
/* PyPy: cffi's own path is the fast one.  A free-threaded CPython: these
   functions rely on the GIL to keep other threads out of the objects between
   the slot reads and the locks, so they stay out. */

int ssl_bio_accel_install(const char *module_name)
{
    (void)module_name;
    return 0;
}

#else /* CPython with the GIL */

/* The most plaintext one record carries: SSL_read_ex returns no more. */
#define MAX_RECORD_PLAINTEXT 16384
/* Reads up to this size decrypt on the stack and copy into a bytes object of
   the size read; larger ones into a bytes object of the size asked for. */
#define SMALL_READ 2048

/* Interned method and attribute names, made by ssl_bio_accel_install. */
static PyObject *str_read, *str_write, *str_pending, *str_eof, *str_record_transport;
static PyObject *str_release;

/* --- Locks, with the GIL held ----------------------------------------- */

static void lock_holding_gil(ssl_bio_lock *lock)
{
    PyThreadState *saved;
    if (ssl_bio_lock_try(lock))
        return;
    saved = PyEval_SaveThread();
    ssl_bio_lock_acquire(lock);
    PyEval_RestoreThread(saved);
}

static void connection_lock_holding_gil(const ssl_bio_connection *connection)
{
    lock_holding_gil(connection->first);
    if (connection->second != connection->first)
        lock_holding_gil(connection->second);
}

/* The pointer a Python int holds (ssl_bio keeps the address of each
   ssl_bio_memory / ssl_bio_connection in its Python object, which keeps
   the memory alive). */
static void *address_of(PyObject *number)
{
    void *pointer = PyLong_AsVoidPtr(number);
    if (pointer == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "ssl_bio: NULL address");
    return pointer;
}

static int check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t expected)
{
    if (nargs == expected)
        return 1;
    PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", name, expected, nargs);
    return 0;
}

/* An exact int argument that fits a long, into *value; 0 (no exception)
   for anything else -- the caller returns NotImplemented and the Python
   method, which owns the argument checks, judges it. */
static int small_int(PyObject *object, long *value)
{
    int overflow;
    if (!PyLong_CheckExact(object))
        return 0;
    *value = PyLong_AsLongAndOverflow(object, &overflow);
    return !overflow;
}

/* --- MemoryBIO -------------------------------------------------------- */

/* memory_pending(address) -> int */
static PyObject *memory_pending(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const ssl_bio_memory *memory;
    size_t pending;
    (void)module;
    if (!check_nargs("memory_pending", nargs, 1) || !(memory = address_of(args[0])))
        return NULL;
    lock_holding_gil(memory->lock);
    pending = BIO_ctrl_pending(memory->bio);
    ssl_bio_lock_release(memory->lock);
    return PyLong_FromSize_t(pending);
}

/* memory_read(address, size) -> bytes, or None if BIO_read failed (the
   error is in OpenSSL's queue), or NotImplemented for a size that is not an
   int in C int range (MemoryBIO.read judges it).  A negative size reads
   everything.  The bytes object is allocated at the size that is pending
   and filled in place. */
static PyObject *memory_read(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const ssl_bio_memory *memory;
    PyObject *result;
    long asked;
    int size, count;
    (void)module;
    if (!check_nargs("memory_read", nargs, 2) || !(memory = address_of(args[0])))
        return NULL;
    if (!small_int(args[1], &asked) || asked < INT_MIN || asked > INT_MAX)
        Py_RETURN_NOTIMPLEMENTED;
    if (asked < 0)
        asked = INT_MAX;
    lock_holding_gil(memory->lock);
    size = ssl_bio_memory_readable(memory, (int)asked);
    /* Allocating with the lock held: a bytes object runs no Python. */
    result = PyBytes_FromStringAndSize(NULL, size);
    if (result != NULL && size > 0) {
        count = ssl_bio_memory_read_locked(memory, PyBytes_AS_STRING(result), size);
        if (count != size) {
            /* BIO_read failed (-1; it never returns less than pending). */
            Py_DECREF(result);
            Py_INCREF(Py_None);
            result = Py_None;
        }
    }
    ssl_bio_lock_release(memory->lock);
    return result;
}

/* memory_write(address, data: bytes) -> int (BIO_write's result).  The
   caller checked the type and that len(data) <= INT_MAX. */
static PyObject *memory_write(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const ssl_bio_memory *memory;
    Py_ssize_t length;
    int result;
    (void)module;
    if (!check_nargs("memory_write", nargs, 2) || !(memory = address_of(args[0])))
        return NULL;
    if (!PyBytes_Check(args[1]))
        return PyErr_Format(PyExc_TypeError, "memory_write: bytes required");
    length = PyBytes_GET_SIZE(args[1]);
    if (length > INT_MAX)
        return PyErr_Format(PyExc_OverflowError, "string longer than %d bytes", INT_MAX);
    lock_holding_gil(memory->lock);
    result = BIO_write(memory->bio, PyBytes_AS_STRING(args[1]), (int)length);
    ssl_bio_lock_release(memory->lock);
    return PyLong_FromLong(result);
}

/* --- SSLObject -------------------------------------------------------- */

/* connection_read(address, n) -> bytes (b'' at a clean EOF), or the
   negative SSL_get_error() answer as an int, or NotImplemented where read()
   must judge n (not an int, not positive).  At most one record's plaintext
   (16 KiB). */
static PyObject *connection_read(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const ssl_bio_connection *connection;
    char small[SMALL_READ];
    PyObject *data = NULL;
    char *target = small;
    long asked, result;
    (void)module;
    if (!check_nargs("connection_read", nargs, 2) || !(connection = address_of(args[0])))
        return NULL;
    if (!small_int(args[1], &asked) || asked < 1)
        Py_RETURN_NOTIMPLEMENTED;
    if (asked > MAX_RECORD_PLAINTEXT)
        asked = MAX_RECORD_PLAINTEXT;
    if (asked > SMALL_READ) {
        /* Decrypted straight into the bytes object, shrunk to fit after. */
        if (!(data = PyBytes_FromStringAndSize(NULL, asked)))
            return NULL;
        target = PyBytes_AS_STRING(data);
    }
    connection_lock_holding_gil(connection);
    result = ssl_bio_connection_read_locked(connection->ssl, target, (size_t)asked);
    ssl_bio_connection_unlock(connection);
    if (result < 0) {
        Py_XDECREF(data);
        return PyLong_FromLong(result);
    }
    if (data == NULL)
        data = PyBytes_FromStringAndSize(small, (Py_ssize_t)result);
    else if (result != asked && _PyBytes_Resize(&data, (Py_ssize_t)result) != 0)
        data = NULL;
    return data;
}

/* connection_read_into(address, buffer, n) -> int: the count read into the
   writable buffer (n <= 0 or beyond it: its size), or the negative
   SSL_get_error() answer.  NotImplemented for anything the SSLObject's own
   checks must judge (not a writable contiguous buffer, n not a C ssize_t):
   read() then takes the cffi path, which raises the stdlib's errors. */
static PyObject *connection_read_into(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const ssl_bio_connection *connection;
    Py_buffer view;
    Py_ssize_t length;
    long result;
    (void)module;
    if (!check_nargs("connection_read_into", nargs, 3) || !(connection = address_of(args[0])))
        return NULL;
    length = PyLong_AsSsize_t(args[2]);
    if (length == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (PyObject_GetBuffer(args[1], &view, PyBUF_WRITABLE) != 0) {
        PyErr_Clear();
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (length <= 0 || length > view.len)
        length = view.len;
    if (length == 0) {
        PyBuffer_Release(&view);
        return PyLong_FromLong(0);
    }
    connection_lock_holding_gil(connection);
    result = ssl_bio_connection_read_locked(connection->ssl, view.buf, (size_t)length);
    ssl_bio_connection_unlock(connection);
    PyBuffer_Release(&view);
    return PyLong_FromLong(result);
}

/* connection_write(address, data: bytes) -> int: the count written, or the
   negative SSL_get_error() answer. */
static PyObject *connection_write(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const ssl_bio_connection *connection;
    long result;
    (void)module;
    if (!check_nargs("connection_write", nargs, 2) || !(connection = address_of(args[0])))
        return NULL;
    if (!PyBytes_Check(args[1]))
        return PyErr_Format(PyExc_TypeError, "connection_write: bytes required");
    if (PyBytes_GET_SIZE(args[1]) > INT_MAX)
        return PyErr_Format(PyExc_OverflowError, "string longer than %d bytes", INT_MAX);
    connection_lock_holding_gil(connection);
    result = ssl_bio_connection_write_locked(connection->ssl, PyBytes_AS_STRING(args[1]),
                                             (size_t)PyBytes_GET_SIZE(args[1]));
    ssl_bio_connection_unlock(connection);
    return PyLong_FromLong(result);
}

/* --- The BIO over a stdlib ssl.MemoryBIO ------------------------------- */

/* What the BIO knows: the stdlib MemoryBIO and the CallbackErrors of the
   SSLObject using it.  Borrowed: the SSLObject keeps both alive for as long
   as the SSL (and so the BIO) lives (SSLObject._attach_bio), so OpenSSL's
   pointer makes no reference the cyclic GC cannot see. */
typedef struct {
    PyObject *target;
    PyObject *errors;
} stdlib_bio_state;

static BIO_METHOD *stdlib_bio_method;

/* The exception a method of the target raised, to errors.record_transport()
   (the SSLObject call raises it).  Called with the GIL held. */
static void report(const stdlib_bio_state *state)
{
    PyObject *exception, *result = NULL;
#if PY_VERSION_HEX >= 0x030C0000
    exception = PyErr_GetRaisedException();
#else
    PyObject *type, *traceback;
    PyErr_Fetch(&type, &exception, &traceback);
    PyErr_NormalizeException(&type, &exception, &traceback);
    if (traceback != NULL && exception != NULL)
        PyException_SetTraceback(exception, traceback);
    Py_XDECREF(type);
    Py_XDECREF(traceback);
#endif
    if (exception != NULL)
        result = PyObject_CallMethodOneArg(state->errors, str_record_transport, exception);
    if (result == NULL)
        PyErr_WriteUnraisable(state->errors);
    Py_XDECREF(result);
    Py_XDECREF(exception);
}

/* As the foreign BIO's read (_callbacks.ssl_bio_foreign_read): what the
   target's read(size) returns, 0 once it is empty and at EOF, else "retry". */
static int stdlib_bio_read(BIO *bio, char *buf, int size)
{
    const stdlib_bio_state *state = BIO_get_data(bio);
    PyGILState_STATE gil;
    PyObject *count, *data = NULL;
    int result = -1, retry = 0;
    BIO_clear_retry_flags(bio);
    if (size <= 0)
        return 0;
    gil = PyGILState_Ensure();
    count = PyLong_FromLong(size);
    if (count != NULL) {
        data = PyObject_CallMethodOneArg(state->target, str_read, count);
        Py_DECREF(count);
    }
    if (data != NULL) {
        if (!PyBytes_Check(data)) {
            PyErr_Format(PyExc_TypeError, "read() returned %s, not bytes", Py_TYPE(data)->tp_name);
        } else if (PyBytes_GET_SIZE(data) > size) {
            PyErr_SetString(PyExc_ValueError, "read() returned more bytes than asked for");
        } else if (PyBytes_GET_SIZE(data) > 0) {
            result = (int)PyBytes_GET_SIZE(data);
            memcpy(buf, PyBytes_AS_STRING(data), (size_t)result);
        } else {
            PyObject *eof = PyObject_GetAttr(state->target, str_eof);
            int at_eof = eof == NULL ? -1 : PyObject_IsTrue(eof);
            Py_XDECREF(eof);
            if (at_eof == 1)
                result = 0; /* end of stream: OpenSSL decides whether that was allowed */
            else if (at_eof == 0)
                retry = 1; /* nothing yet, but more may come */
        }
        Py_DECREF(data);
    }
    if (PyErr_Occurred())
        report(state);
    PyGILState_Release(gil);
    if (retry)
        BIO_set_retry_read(bio);
    return result;
}

/* The target's write() copies the record from OpenSSL's buffer, through a
   memoryview: one copy, as the stdlib's own SSL_write into its BIO.  The
   stdlib's MemoryBIO.write keeps no reference to the view, and it is
   released before OpenSSL reuses the buffer. */
static int stdlib_bio_write(BIO *bio, const char *buf, int size)
{
    const stdlib_bio_state *state = BIO_get_data(bio);
    PyGILState_STATE gil;
    PyObject *view, *result = NULL;
    BIO_clear_retry_flags(bio);
    gil = PyGILState_Ensure();
    view = PyMemoryView_FromMemory((char *)buf, size, PyBUF_READ);
    if (view != NULL) {
        result = PyObject_CallMethodOneArg(state->target, str_write, view);
        if (Py_REFCNT(view) > 1 && result != NULL) {
            /* Kept (never by the stdlib's MemoryBIO): cut it off the buffer. */
            PyObject *released = PyObject_CallMethodNoArgs(view, str_release);
            if (released == NULL)
                Py_CLEAR(result);
            Py_XDECREF(released);
        }
        Py_DECREF(view);
    }
    if (result == NULL)
        report(state);
    Py_XDECREF(result);
    PyGILState_Release(gil);
    return result == NULL ? -1 : size;
}

static long stdlib_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    const stdlib_bio_state *state = BIO_get_data(bio);
    PyGILState_STATE gil;
    PyObject *value;
    long result = 0;
    (void)num;
    (void)ptr;
    if (!ssl_bio_ctrl_asks_object(cmd, &result))
        return result;
    gil = PyGILState_Ensure();
    value = PyObject_GetAttr(state->target, cmd == BIO_CTRL_PENDING ? str_pending : str_eof);
    if (value != NULL) {
        if (cmd == BIO_CTRL_PENDING)
            result = PyLong_AsLong(value);
        else
            /* Without this OpenSSL reports a bare SYSCALL error at EOF
               instead of UNEXPECTED_EOF_WHILE_READING. */
            result = PyObject_IsTrue(value);
        Py_DECREF(value);
    }
    if (PyErr_Occurred()) {
        report(state);
        result = 0;
    }
    PyGILState_Release(gil);
    return result;
}

static int stdlib_bio_destroy(BIO *bio)
{
    PyMem_RawFree(BIO_get_data(bio));
    BIO_set_data(bio, NULL);
    BIO_set_init(bio, 0);
    return 1;
}

/* stdlib_bio_new(target, errors) -> int: the address of a new BIO reading
   and writing target (the caller's to free, BIO_free, until an SSL takes
   it over), which must outlive it, as must errors. */
static PyObject *stdlib_bio_new(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    stdlib_bio_state *state;
    BIO *bio;
    (void)module;
    if (!check_nargs("stdlib_bio_new", nargs, 2))
        return NULL;
    state = PyMem_RawMalloc(sizeof(*state));
    if (state == NULL)
        return PyErr_NoMemory();
    bio = BIO_new(stdlib_bio_method);
    if (bio == NULL) {
        PyMem_RawFree(state);
        ERR_clear_error();
        return PyErr_NoMemory();
    }
    state->target = args[0];
    state->errors = args[1];
    BIO_set_data(bio, state);
    BIO_set_init(bio, 1);
    return PyLong_FromVoidPtr(bio);
}

/* --- Methods ---------------------------------------------------------- */

/* MemoryBIO.read/write and SSLObject.read/write themselves, as C method
   descriptors on the classes (accelerate_classes): no Python frame per call.
   They read the objects' __slots__ at the offsets the classes' member
   descriptors give, call the functions above, and hand whatever they do not
   take (keywords, NotImplemented, an object not in the fast state) to the
   Python method they replace, which stays the definition of the behaviour. */

enum { MEMORY_READ, MEMORY_WRITE, SSLOBJECT_READ, SSLOBJECT_WRITE, METHOD_COUNT };

/* The replaced Python functions, and the docstrings of the descriptors. */
static PyObject *python_method[METHOD_COUNT];
static PyObject *method_doc[METHOD_COUNT];
/* Slot offsets: MemoryBIO._address, _eof_written; SSLObject._address, _fast. */
static Py_ssize_t bio_address, bio_eof_written, object_address, object_fast;
static PyObject *str_raise_read_error, *str_raise_write_error, *default_read_length;

/* The slot at offset in self (borrowed; NULL if unset). */
static PyObject *slot(PyObject *self, Py_ssize_t offset)
{
    return *(PyObject **)((char *)self + offset);
}

/* The replaced Python method, called as it would have been. */
static PyObject *fall_back(int which, PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames)
{
    PyObject *bound = PyMethod_New(python_method[which], self);
    PyObject *result;
    if (bound == NULL)
        return NULL;
    result = PyObject_Vectorcall(bound, args, (size_t)nargs, kwnames);
    Py_DECREF(bound);
    return result;
}

static PyObject *memory_bio_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    PyObject *call[2], *result;
    static PyObject *all;
    if ((kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) || nargs > 1
        || !(call[0] = slot(self, bio_address)))
        return fall_back(MEMORY_READ, self, args, nargs, kwnames);
    if (all == NULL && !(all = PyLong_FromLong(-1)))
        return NULL;
    call[1] = nargs == 1 ? args[0] : all;
    result = memory_read(NULL, call, 2);
    if (result == NULL || PyBytes_CheckExact(result))
        return result;
    Py_DECREF(result); /* NotImplemented, or None (BIO_read failed) */
    return fall_back(MEMORY_READ, self, args, nargs, kwnames);
}

static PyObject *memory_bio_write(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames)
{
    PyObject *call[2], *result;
    if ((kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) || nargs != 1
        || !PyBytes_CheckExact(args[0]) || slot(self, bio_eof_written) != Py_False
        || !(call[0] = slot(self, bio_address)))
        return fall_back(MEMORY_WRITE, self, args, nargs, kwnames);
    call[1] = args[0];
    result = memory_write(NULL, call, 2);
    if (result == NULL || PyLong_AsLong(result) >= 0)
        return result;
    Py_DECREF(result);
    return fall_back(MEMORY_WRITE, self, args, nargs, kwnames);
}

/* The SSLObject's own error for a failed call: self._raise_*_error(code)
   raises what SSLObject._finish decides. */
static PyObject *raise_error(PyObject *self, PyObject *name, PyObject *code)
{
    PyObject *result = PyObject_CallMethodOneArg(self, name, code);
    Py_DECREF(code);
    if (result != NULL) {
        Py_DECREF(result);
        PyErr_SetString(PyExc_SystemError, "ssl_bio: a failed call raised nothing");
    }
    return NULL;
}

static PyObject *sslobject_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    PyObject *call[3], *result;
    if ((kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) || nargs > 2
        || slot(self, object_fast) != Py_True || !(call[0] = slot(self, object_address)))
        return fall_back(SSLOBJECT_READ, self, args, nargs, kwnames);
    call[1] = nargs >= 1 ? args[0] : default_read_length;
    if (nargs < 2 || args[1] == Py_None) {
        result = connection_read(NULL, call, 2);
    } else {
        call[2] = call[1];
        call[1] = args[1];
        result = connection_read_into(NULL, call, 3);
    }
    if (result == NULL || PyBytes_CheckExact(result))
        return result;
    if (result == Py_NotImplemented) {
        Py_DECREF(result);
        return fall_back(SSLOBJECT_READ, self, args, nargs, kwnames);
    }
    if (PyLong_AsLong(result) >= 0)
        return result;
    return raise_error(self, str_raise_read_error, result);
}

static PyObject *sslobject_write(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                 PyObject *kwnames)
{
    PyObject *call[2], *result;
    if ((kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) || nargs != 1
        || !PyBytes_CheckExact(args[0]) || slot(self, object_fast) != Py_True
        || !(call[0] = slot(self, object_address)))
        return fall_back(SSLOBJECT_WRITE, self, args, nargs, kwnames);
    call[1] = args[0];
    result = connection_write(NULL, call, 2);
    if (result == NULL || PyLong_AsLong(result) >= 0)
        return result;
    return raise_error(self, str_raise_write_error, result);
}

#define METHOD(function, name)                                                           \
    {name, (PyCFunction)(void (*)(void))function, METH_FASTCALL | METH_KEYWORDS, NULL}

static PyMethodDef methods[METHOD_COUNT] = {
    METHOD(memory_bio_read, "read"),
    METHOD(memory_bio_write, "write"),
    METHOD(sslobject_read, "read"),
    METHOD(sslobject_write, "write"),
};

/* The text signatures (for inspect.signature and the docs), as the stdlib's. */
static const char *const method_signature[METHOD_COUNT] = {
    "($self, size=-1, /)",
    "($self, b, /)",
    "($self, /, len=1024, buffer=None)",
    "($self, /, data)",
};

/* The offset of a T_OBJECT_EX __slots__ member of cls, or -1. */
static Py_ssize_t slot_offset(PyObject *cls, const char *name)
{
    PyObject *descr = PyObject_GetAttrString(cls, name);
    Py_ssize_t offset = -1;
    if (descr == NULL)
        return -1;
    if (PyObject_TypeCheck(descr, &PyMemberDescr_Type)
        && ((PyMemberDescrObject *)descr)->d_member->type == T_OBJECT_EX)
        offset = ((PyMemberDescrObject *)descr)->d_member->offset;
    else
        PyErr_Format(PyExc_TypeError, "ssl_bio: %s is not a __slots__ member", name);
    Py_DECREF(descr);
    return offset;
}

/* Put methods[which] on cls in place of its Python function. */
static int replace_method(PyObject *cls, int which)
{
    PyMethodDef *def = &methods[which];
    PyObject *function, *doc, *descr;
    int ok;
    function = PyObject_GetAttrString(cls, def->ml_name);
    if (function == NULL)
        return 0;
    if (!PyFunction_Check(function)) {
        Py_DECREF(function);
        PyErr_Format(PyExc_TypeError, "ssl_bio: %s is not a Python function", def->ml_name);
        return 0;
    }
    doc = PyObject_GetAttrString(function, "__doc__");
    if (doc == NULL || !PyUnicode_Check(doc)) {
        Py_DECREF(function);
        Py_XDECREF(doc);
        PyErr_Format(PyExc_TypeError, "ssl_bio: %s has no docstring", def->ml_name);
        return 0;
    }
    method_doc[which] = PyUnicode_FromFormat("%s%s\n--\n\n%U", def->ml_name,
                                             method_signature[which], doc);
    Py_DECREF(doc);
    if (method_doc[which] == NULL || !(def->ml_doc = PyUnicode_AsUTF8(method_doc[which]))) {
        Py_DECREF(function);
        return 0;
    }
    python_method[which] = function; /* kept for ever: the fallback */
    descr = PyDescr_NewMethod((PyTypeObject *)cls, def);
    ok = descr != NULL && PyObject_SetAttrString(cls, def->ml_name, descr) == 0;
    Py_XDECREF(descr);
    return ok;
}

/* accelerate_memory_bio(MemoryBIO): its read and write become C methods. */
static PyObject *accelerate_memory_bio(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (!check_nargs("accelerate_memory_bio", nargs, 1) || !PyType_Check(args[0]))
        return NULL;
    if ((bio_address = slot_offset(args[0], "_address")) < 0
        || (bio_eof_written = slot_offset(args[0], "_eof_written")) < 0
        || !replace_method(args[0], MEMORY_READ) || !replace_method(args[0], MEMORY_WRITE))
        return NULL;
    Py_RETURN_NONE;
}

/* accelerate_sslobject(SSLObject): its read and write become C methods. */
static PyObject *accelerate_sslobject(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *cls;
    (void)module;
    if (!check_nargs("accelerate_sslobject", nargs, 1) || !PyType_Check(args[0]))
        return NULL;
    cls = args[0];
    if ((object_address = slot_offset(cls, "_address")) < 0
        || (object_fast = slot_offset(cls, "_fast")) < 0)
        return NULL;
    if (!(str_raise_read_error = PyUnicode_InternFromString("_raise_read_error"))
        || !(str_raise_write_error = PyUnicode_InternFromString("_raise_write_error"))
        || !(default_read_length = PyLong_FromLong(1024)))
        return NULL;
    if (!replace_method(cls, SSLOBJECT_READ) || !replace_method(cls, SSLOBJECT_WRITE))
        return NULL;
    Py_RETURN_NONE;
}

/* --- Installation ----------------------------------------------------- */

#define FASTCALL(name) {#name, (PyCFunction)(void (*)(void))name, METH_FASTCALL, NULL}

static PyMethodDef accelerated[] = {
    /* (read and write are the C methods' alone, below them: the Python
       methods they replace take the cffi path.) */
    FASTCALL(memory_pending),
    FASTCALL(stdlib_bio_new),
    FASTCALL(accelerate_memory_bio),
    FASTCALL(accelerate_sslobject),
    {NULL, NULL, 0, NULL},
};

static int intern_names(void)
{
    return (str_read = PyUnicode_InternFromString("read")) != NULL
           && (str_write = PyUnicode_InternFromString("write")) != NULL
           && (str_pending = PyUnicode_InternFromString("pending")) != NULL
           && (str_eof = PyUnicode_InternFromString("eof")) != NULL
           && (str_record_transport = PyUnicode_InternFromString("record_transport")) != NULL
           && (str_release = PyUnicode_InternFromString("release")) != NULL;
}

static int make_stdlib_bio_method(void)
{
    stdlib_bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                     "ssl_bio stdlib MemoryBIO");
    if (stdlib_bio_method == NULL || !BIO_meth_set_read(stdlib_bio_method, stdlib_bio_read)
        || !BIO_meth_set_write(stdlib_bio_method, stdlib_bio_write)
        || !BIO_meth_set_ctrl(stdlib_bio_method, stdlib_bio_ctrl)
        || !BIO_meth_set_destroy(stdlib_bio_method, stdlib_bio_destroy)) {
        ERR_clear_error();
        PyErr_SetString(PyExc_MemoryError, "ssl_bio: cannot make a BIO_METHOD");
        return 0;
    }
    return 1;
}

static int install(const char *module_name)
{
    PyObject *module = PyImport_ImportModule(module_name);
    PyMethodDef *def;
    int ok = module != NULL && (str_read != NULL || intern_names())
             && (stdlib_bio_method != NULL || make_stdlib_bio_method());
    for (def = accelerated; ok && def->ml_name != NULL; def++) {
        PyObject *function = PyCFunction_New(def, NULL);
        ok = function != NULL && PyObject_SetAttrString(module, def->ml_name, function) == 0;
        Py_XDECREF(function);
    }
    Py_XDECREF(module);
    return ok;
}

int ssl_bio_accel_install(const char *module_name)
{
    /* Called through cffi, which released the GIL. */
    PyGILState_STATE gil = PyGILState_Ensure();
    int ok = install(module_name);
    if (!ok)
        PyErr_Print();
    PyGILState_Release(gil);
    return ok ? 1 : -1;
}

#endif /* PYPY_VERSION || Py_GIL_DISABLED */
