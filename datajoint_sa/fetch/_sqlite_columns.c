/*
 * SQLite query results read straight into Arrow-layout column buffers.
 *
 * Python's sqlite3 module makes one Python object per value and a tuple per row, which
 * costs far more than SQLite's own work.  A Database is a read connection of its own; its
 * reader() runs one SELECT and copies each batch of rows into plain buffers (values,
 * offsets, validity bitmap) that pyarrow wraps without looking at a single Python object.
 *
 * It must link the very SQLite library that Python's sqlite3 module uses: two copies of
 * SQLite in one process lose each other's POSIX locks (sqlite.org/howtocorrupt.html,
 * 2.2.1).  library_address() lets the Python side check that before any use.
 *
 * Column classes, one character each: 'i' int64, 'f' float64, 't' UTF-8 text, 'b' blob.
 * A value of another storage class than its column's (SQLite's dynamic typing allows it)
 * raises MismatchError, and the caller reads the query another way.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

static PyObject *MismatchError;

typedef struct {
    char *data;
    size_t size;
    size_t capacity;
} Buffer;

static int buffer_reserve(Buffer *buffer, size_t extra) {
    size_t needed = buffer->size + extra;
    if (needed <= buffer->capacity)
        return 0;
    size_t capacity = buffer->capacity ? buffer->capacity : 4096;
    while (capacity < needed)
        capacity *= 2;
    char *grown = realloc(buffer->data, capacity);
    if (grown == NULL)
        return -1;
    buffer->data = grown;
    buffer->capacity = capacity;
    return 0;
}

static int buffer_append(Buffer *buffer, const void *bytes, size_t count) {
    if (buffer_reserve(buffer, count) < 0)
        return -1;
    if (count)
        memcpy(buffer->data + buffer->size, bytes, count);
    buffer->size += count;
    return 0;
}

typedef struct {
    char kind;       /* 'i', 'f', 't', 'b' */
    Buffer values;   /* int64 / double values, or the bytes of text and blobs */
    Buffer offsets;  /* int64 offsets (text and blobs): one more than rows */
    Buffer validity; /* one bit per row, least significant first; set where not NULL */
    Py_ssize_t nulls;
} Column;

typedef struct {
    PyObject_HEAD
    sqlite3 *db;
    int busy; /* a call is running on this connection with the GIL released */
} Database;

typedef struct {
    PyObject_HEAD
    Database *database; /* kept alive while the statement is */
    sqlite3 *db;
    sqlite3_stmt *statement;
    int columns;
    Column *buffers;
    int done;
} Reader;

enum { READ_OK = 0, READ_MISMATCH = 1, READ_NO_MEMORY = 2, READ_SQLITE = 3 };

/* True (with the error set) where another thread runs a call on the connection right now. */
static int database_busy(Database *database) {
    if (database->busy)
        PyErr_SetString(PyExc_RuntimeError, "the database is in use by another thread");
    return database->busy;
}

/* Close the connection; SQLite finishes closing once the last reader's statement is finalized. */
static void database_close_connection(Database *database) {
    if (database->db != NULL)
        sqlite3_close_v2(database->db);
    database->db = NULL;
}

static void columns_reset(Reader *self) {
    for (int c = 0; c < self->columns; c++) {
        Column *column = &self->buffers[c];
        column->values.size = column->offsets.size = column->validity.size = 0;
        column->nulls = 0;
    }
}

static void columns_free(Reader *self) {
    if (self->buffers == NULL)
        return;
    for (int c = 0; c < self->columns; c++) {
        free(self->buffers[c].values.data);
        free(self->buffers[c].offsets.data);
        free(self->buffers[c].validity.data);
    }
    free(self->buffers);
    self->buffers = NULL;
}

static void reader_close_handles(Reader *self) {
    if (self->statement != NULL) {
        sqlite3_finalize(self->statement);
        self->statement = NULL;
    }
    Py_CLEAR(self->database);
}

static int set_valid(Column *column, Py_ssize_t row, int valid) {
    if (row % 8 == 0) {
        unsigned char zero = 0;
        if (buffer_append(&column->validity, &zero, 1) < 0)
            return -1;
    }
    if (valid)
        column->validity.data[row / 8] |= (unsigned char)(1u << (row % 8));
    else
        column->nulls++;
    return 0;
}

/* One value of the current row into its column; returns a READ_* code. */
static int take_value(sqlite3_stmt *statement, int c, Column *column, Py_ssize_t row) {
    int storage = sqlite3_column_type(statement, c);
    int valid = storage != SQLITE_NULL;
    if (set_valid(column, row, valid) < 0)
        return READ_NO_MEMORY;
    switch (column->kind) {
    case 'i': {
        if (valid && storage != SQLITE_INTEGER)
            return READ_MISMATCH;
        int64_t value = valid ? (int64_t)sqlite3_column_int64(statement, c) : 0;
        return buffer_append(&column->values, &value, sizeof value) < 0 ? READ_NO_MEMORY : READ_OK;
    }
    case 'f': {
        if (valid && storage != SQLITE_FLOAT && storage != SQLITE_INTEGER)
            return READ_MISMATCH;
        double value = valid ? sqlite3_column_double(statement, c) : 0.0;
        return buffer_append(&column->values, &value, sizeof value) < 0 ? READ_NO_MEMORY : READ_OK;
    }
    default: { /* 't' and 'b' */
        int wanted = column->kind == 't' ? SQLITE_TEXT : SQLITE_BLOB;
        if (valid && storage != wanted)
            return READ_MISMATCH;
        if (valid) {
            const void *bytes = column->kind == 't' ? (const void *)sqlite3_column_text(statement, c)
                                                    : sqlite3_column_blob(statement, c);
            int count = sqlite3_column_bytes(statement, c);
            if (bytes == NULL && count > 0)
                return READ_NO_MEMORY;
            if (buffer_append(&column->values, bytes, (size_t)count) < 0)
                return READ_NO_MEMORY;
        }
        int64_t end = (int64_t)column->values.size;
        return buffer_append(&column->offsets, &end, sizeof end) < 0 ? READ_NO_MEMORY : READ_OK;
    }
    }
}

/* Up to max_rows rows into the column buffers, without the GIL. */
static int read_rows(Reader *self, Py_ssize_t max_rows, Py_ssize_t *rows, int *sqlite_code) {
    for (int c = 0; c < self->columns; c++) {
        Column *column = &self->buffers[c];
        if (column->kind == 't' || column->kind == 'b') {
            int64_t start = 0;
            if (buffer_append(&column->offsets, &start, sizeof start) < 0)
                return READ_NO_MEMORY;
        }
    }
    *rows = 0;
    while (*rows < max_rows) {
        int step = sqlite3_step(self->statement);
        if (step == SQLITE_DONE) {
            self->done = 1;
            return READ_OK;
        }
        if (step != SQLITE_ROW) {
            *sqlite_code = step;
            return READ_SQLITE;
        }
        for (int c = 0; c < self->columns; c++) {
            int outcome = take_value(self->statement, c, &self->buffers[c], *rows);
            if (outcome != READ_OK)
                return outcome;
        }
        (*rows)++;
    }
    return READ_OK;
}

static PyObject *column_tuple(Column *column, Py_ssize_t rows) {
    PyObject *values = PyBytes_FromStringAndSize(column->values.data, (Py_ssize_t)column->values.size);
    PyObject *offsets = column->offsets.size
        ? PyBytes_FromStringAndSize(column->offsets.data, (Py_ssize_t)column->offsets.size)
        : (Py_INCREF(Py_None), Py_None);
    PyObject *validity = column->nulls
        ? PyBytes_FromStringAndSize(column->validity.data, (Py_ssize_t)column->validity.size)
        : (Py_INCREF(Py_None), Py_None);
    PyObject *out = NULL;
    if (values && offsets && validity)
        out = Py_BuildValue("(nOOOn)", rows, values, offsets, validity, column->nulls);
    Py_XDECREF(values);
    Py_XDECREF(offsets);
    Py_XDECREF(validity);
    return out;
}

static int bind_parameters(sqlite3_stmt *statement, PyObject *parameters) {
    Py_ssize_t count = PyTuple_GET_SIZE(parameters);
    if (count != sqlite3_bind_parameter_count(statement)) {
        PyErr_Format(MismatchError, "the statement takes %d parameters, %zd given",
                     sqlite3_bind_parameter_count(statement), count);
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *value = PyTuple_GET_ITEM(parameters, i);
        int position = (int)i + 1, code;
        if (value == Py_None) {
            code = sqlite3_bind_null(statement, position);
        } else if (PyLong_CheckExact(value) || PyBool_Check(value)) {
            long long number = PyLong_AsLongLong(value);
            if (number == -1 && PyErr_Occurred()) {
                PyErr_Clear(); /* beyond int64: the driver path decides what that means */
                PyErr_Format(MismatchError, "parameter %zd does not fit in 64 bits", i + 1);
                return -1;
            }
            code = sqlite3_bind_int64(statement, position, number);
        } else if (PyFloat_CheckExact(value)) {
            code = sqlite3_bind_double(statement, position, PyFloat_AS_DOUBLE(value));
        } else if (PyUnicode_CheckExact(value)) {
            Py_ssize_t size;
            const char *text = PyUnicode_AsUTF8AndSize(value, &size);
            if (text == NULL)
                return -1;
            code = sqlite3_bind_text64(statement, position, text, (sqlite3_uint64)size, SQLITE_TRANSIENT, SQLITE_UTF8);
        } else if (PyBytes_CheckExact(value)) {
            code = sqlite3_bind_blob64(statement, position, PyBytes_AS_STRING(value),
                                       (sqlite3_uint64)PyBytes_GET_SIZE(value), SQLITE_TRANSIENT);
        } else {
            PyErr_Format(MismatchError, "parameter %zd has type %s", i + 1, Py_TYPE(value)->tp_name);
            return -1;
        }
        if (code != SQLITE_OK) {
            PyErr_Format(PyExc_RuntimeError, "binding parameter %zd: %s", i + 1, sqlite3_errstr(code));
            return -1;
        }
    }
    return 0;
}

static PyTypeObject ReaderType;

/* Prepare sql on the database, bind parameters, set up one buffer set per column. */
static int reader_prepare(Reader *self, Database *database, const char *sql, PyObject *parameters, const char *kinds) {
    Py_INCREF(database);
    self->database = database;
    self->db = database->db;
    int code;
    database->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    code = sqlite3_prepare_v2(self->db, sql, -1, &self->statement, NULL);
    Py_END_ALLOW_THREADS
    database->busy = 0;
    if (code != SQLITE_OK) {
        PyErr_Format(PyExc_RuntimeError, "sqlite: %s", sqlite3_errmsg(self->db));
        return -1;
    }
    if (!sqlite3_stmt_readonly(self->statement)) {
        PyErr_SetString(MismatchError, "only statements that read are run here");
        return -1;
    }
    self->columns = sqlite3_column_count(self->statement);
    if ((Py_ssize_t)strlen(kinds) != self->columns) {
        PyErr_Format(MismatchError, "the statement has %d columns, %zd kinds given", self->columns, strlen(kinds));
        return -1;
    }
    self->buffers = calloc((size_t)(self->columns ? self->columns : 1), sizeof(Column));
    if (self->buffers == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (int c = 0; c < self->columns; c++) {
        if (strchr("iftb", kinds[c]) == NULL) {
            PyErr_Format(PyExc_ValueError, "unknown column kind %c", kinds[c]);
            return -1;
        }
        self->buffers[c].kind = kinds[c];
    }
    return bind_parameters(self->statement, parameters);
}

static PyObject *Database_reader(Database *self, PyObject *args) {
    const char *sql, *kinds;
    PyObject *parameters;
    if (!PyArg_ParseTuple(args, "sO!s", &sql, &PyTuple_Type, &parameters, &kinds))
        return NULL;
    if (database_busy(self))
        return NULL;
    if (self->db == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the database is closed");
        return NULL;
    }
    Reader *reader = (Reader *)ReaderType.tp_alloc(&ReaderType, 0);
    if (reader == NULL)
        return NULL;
    if (reader_prepare(reader, self, sql, parameters, kinds) < 0) {
        Py_DECREF(reader);
        return NULL;
    }
    return (PyObject *)reader;
}

static PyObject *Reader_read(Reader *self, PyObject *args) {
    Py_ssize_t max_rows;
    if (!PyArg_ParseTuple(args, "n", &max_rows))
        return NULL;
    if (self->statement == NULL || self->done)
        Py_RETURN_NONE;
    if (database_busy(self->database))
        return NULL;
    if (max_rows < 1)
        max_rows = 1;
    Py_ssize_t rows = 0;
    int outcome, sqlite_code = SQLITE_OK;
    self->database->busy = 1;
    columns_reset(self);
    Py_BEGIN_ALLOW_THREADS
    outcome = read_rows(self, max_rows, &rows, &sqlite_code);
    Py_END_ALLOW_THREADS
    self->database->busy = 0;
    if (outcome == READ_MISMATCH) {
        PyErr_SetString(MismatchError, "a value's storage class differs from its column's");
        return NULL;
    }
    if (outcome == READ_NO_MEMORY)
        return PyErr_NoMemory();
    if (outcome == READ_SQLITE) {
        PyErr_Format(PyExc_RuntimeError, "sqlite: %s (%s)", sqlite3_errmsg(self->db), sqlite3_errstr(sqlite_code));
        return NULL;
    }
    if (rows == 0)
        Py_RETURN_NONE;
    PyObject *out = PyList_New(self->columns);
    if (out == NULL)
        return NULL;
    for (int c = 0; c < self->columns; c++) {
        PyObject *column = column_tuple(&self->buffers[c], rows);
        if (column == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, c, column);
    }
    return out;
}

static PyObject *Reader_close(Reader *self, PyObject *Py_UNUSED(ignored)) {
    if (self->database != NULL && database_busy(self->database))
        return NULL;
    reader_close_handles(self);
    columns_free(self);
    Py_RETURN_NONE;
}

static void Reader_dealloc(Reader *self) {
    reader_close_handles(self);
    columns_free(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Reader_methods[] = {
    {"read", (PyCFunction)Reader_read, METH_VARARGS,
     "read(max_rows) -> [(rows, values, offsets, validity, nulls) per column], or None at the end"},
    {"close", (PyCFunction)Reader_close, METH_NOARGS, "Finalize the statement."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "datajoint_sa.fetch._sqlite_columns.Reader",
    .tp_doc = "One SELECT read in column batches; made by Database.reader().",
    .tp_basicsize = sizeof(Reader),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)Reader_dealloc,
    .tp_methods = Reader_methods,
};

static int Database_init(Database *self, PyObject *args, PyObject *kwargs) {
    static char *keywords[] = {"path", "busy_timeout_ms", NULL};
    const char *path;
    int busy_timeout_ms = 60000;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|i", keywords, &path, &busy_timeout_ms))
        return -1;
    database_close_connection(self);
    int code;
    Py_BEGIN_ALLOW_THREADS
    /* Read-write so that a WAL database opens whatever state its -shm file is in; only
       statements that sqlite3_stmt_readonly() approves are ever run. */
    code = sqlite3_open_v2(path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (code == SQLITE_OK)
        code = sqlite3_busy_timeout(self->db, busy_timeout_ms);
    Py_END_ALLOW_THREADS
    if (code != SQLITE_OK) {
        PyErr_Format(PyExc_RuntimeError, "sqlite: cannot open %s: %s", path,
                     self->db ? sqlite3_errmsg(self->db) : sqlite3_errstr(code));
        database_close_connection(self);
        return -1;
    }
    return 0;
}

static PyObject *Database_close(Database *self, PyObject *Py_UNUSED(ignored)) {
    if (database_busy(self))
        return NULL;
    database_close_connection(self);
    Py_RETURN_NONE;
}

static void Database_dealloc(Database *self) {
    database_close_connection(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Database_methods[] = {
    {"reader", (PyCFunction)Database_reader, METH_VARARGS,
     "reader(sql, parameters, kinds) -> Reader: prepare one SELECT; kinds holds a class letter per column"},
    {"close", (PyCFunction)Database_close, METH_NOARGS, "Close the connection (once its readers are done)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject DatabaseType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "datajoint_sa.fetch._sqlite_columns.Database",
    .tp_doc = "Database(path, busy_timeout_ms=60000): a connection of its own for reading one file; one thread at a time.",
    .tp_basicsize = sizeof(Database),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Database_init,
    .tp_dealloc = (destructor)Database_dealloc,
    .tp_methods = Database_methods,
};

static PyObject *library_address(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    return PyLong_FromVoidPtr((void *)&sqlite3_libversion);
}

static PyObject *library_version(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    return PyUnicode_FromString(sqlite3_libversion());
}

static PyMethodDef module_methods[] = {
    {"library_address", library_address, METH_NOARGS, "Address of sqlite3_libversion in the linked SQLite."},
    {"library_version", library_version, METH_NOARGS, "Version of the linked SQLite."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "_sqlite_columns",
    .m_doc = "SQLite results read into Arrow-layout column buffers.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__sqlite_columns(void) {
    if (PyType_Ready(&ReaderType) < 0 || PyType_Ready(&DatabaseType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_definition);
    if (module == NULL)
        return NULL;
    MismatchError = PyErr_NewException("datajoint_sa.fetch._sqlite_columns.MismatchError", PyExc_ValueError, NULL);
    Py_INCREF(&ReaderType);
    Py_INCREF(&DatabaseType);
    if (MismatchError == NULL || PyModule_AddObject(module, "MismatchError", MismatchError) < 0 ||
        PyModule_AddObject(module, "Reader", (PyObject *)&ReaderType) < 0 ||
        PyModule_AddObject(module, "Database", (PyObject *)&DatabaseType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    Py_INCREF(MismatchError);
    return module;
}
