/* Optional compiled helpers for erlen.urls and erlen.datastructures, which have the same
 * functions in Python and use them when this module is not built. tests/test_speedups.py
 * holds the two to the same answers on generated input.
 *
 * decode_pairs(qs) splits an ASCII "a=1&b=2" string into a list of (key, value) str
 * pairs: "+" is a space, "%XX" (either case) a byte, any other "%" is kept as it is, and
 * the bytes of each key and value are decoded as UTF-8 (strict: a UnicodeDecodeError
 * propagates). Empty parts are skipped; a part without "=" has an empty value.
 *
 * Non-ASCII input is the caller's job (erlen.urls checks str.isascii() first), so the
 * string's data can be read as bytes. Nothing is read past its length.
 *
 * decode_into(target, qs) decodes the same way straight into a dict of lists, as
 * MultiDict(decode_pairs(qs)) holds them, without the list of pairs.
 *
 * group_pairs(target, pairs) is MultiDict(pairs) for a list of 2-tuples (see below).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int
hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decode s[0:n] into buf (at least n bytes) and return it as a new str, or NULL. */
static PyObject *
decode_component(const unsigned char *s, Py_ssize_t n, char *buf)
{
    Py_ssize_t i = 0, j = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '+') {
            buf[j++] = ' ';
            i++;
        }
        else if (c == '%' && i + 2 < n) {
            int high = hex_value(s[i + 1]);
            int low = hex_value(s[i + 2]);
            if (high >= 0 && low >= 0) {
                buf[j++] = (char)(high * 16 + low);
                i += 3;
            }
            else {
                buf[j++] = '%';
                i++;
            }
        }
        else {
            buf[j++] = (char)c;
            i++;
        }
    }
    return PyUnicode_DecodeUTF8(buf, j, "strict");
}

/* Where each decoded pair goes: appended to a list as a tuple (decode_pairs), or grouped
 * into a dict of lists (decode_into). ``key`` and ``value`` are new references the sink
 * takes over, whether it succeeds or not; it returns 0, or -1 with an exception set. */
typedef int (*pair_sink)(PyObject *target, PyObject *key, PyObject *value);

static int
append_tuple(PyObject *target, PyObject *key, PyObject *value)
{
    PyObject *pair = PyTuple_New(2);
    if (pair == NULL) {
        Py_DECREF(key);
        Py_DECREF(value);
        return -1;
    }
    PyTuple_SET_ITEM(pair, 0, key);
    PyTuple_SET_ITEM(pair, 1, value);
    int failed = PyList_Append(target, pair);
    Py_DECREF(pair);
    return failed;
}

/* Append ``value`` to the list ``target[key]``, making the list on the key's first value;
 * 0, or -1 with an exception set. The references are borrowed. A key's __hash__ or __eq__
 * may be Python code that changes the dict, so what is found there is checked. */
static int
add_value(PyObject *target, PyObject *key, PyObject *value)
{
    PyObject *values = PyDict_GetItemWithError(target, key); /* borrowed */
    if (values != NULL) {
        if (PyList_CheckExact(values)) {
            return PyList_Append(values, value);
        }
        PyErr_SetString(PyExc_RuntimeError, "the dict changed while it was filled");
        return -1;
    }
    if (PyErr_Occurred()) {
        return -1;
    }
    PyObject *fresh = PyList_New(1);
    if (fresh == NULL) {
        return -1;
    }
    Py_INCREF(value);
    PyList_SET_ITEM(fresh, 0, value);
    int failed = PyDict_SetItem(target, key, fresh);
    Py_DECREF(fresh);
    return failed;
}

static int
group_into(PyObject *target, PyObject *key, PyObject *value)
{
    int failed = add_value(target, key, value);
    Py_DECREF(key);
    Py_DECREF(value);
    return failed;
}

/* Decode the ASCII str ``arg`` pair by pair into ``sink(target, ...)``; the number of
 * pairs, or -1 with an exception set. */
static Py_ssize_t
decode_to(PyObject *arg, pair_sink sink, PyObject *target, const char *name)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "%s() needs a str, not %.100s", name,
                     Py_TYPE(arg)->tp_name);
        return -1;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(arg) < 0) {
        return -1;
    }
#endif
    if (!PyUnicode_IS_ASCII(arg)) {
        PyErr_Format(PyExc_ValueError, "%s() needs an ASCII str", name);
        return -1;
    }
    const unsigned char *s = PyUnicode_1BYTE_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    char *buf = PyMem_Malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t count = 0;
    Py_ssize_t start = 0;
    while (start < n) {
        Py_ssize_t end = start;
        while (end < n && s[end] != '&') {
            end++;
        }
        if (end > start) {
            Py_ssize_t eq = start;
            while (eq < end && s[eq] != '=') {
                eq++;
            }
            PyObject *key = decode_component(s + start, eq - start, buf);
            if (key == NULL) {
                goto error;
            }
            PyObject *value = eq < end ? decode_component(s + eq + 1, end - eq - 1, buf)
                                       : PyUnicode_New(0, 0);
            if (value == NULL) {
                Py_DECREF(key);
                goto error;
            }
            if (sink(target, key, value) < 0) {
                goto error;
            }
            count++;
        }
        start = end + 1;
    }
    PyMem_Free(buf);
    return count;

error:
    PyMem_Free(buf);
    return -1;
}

static PyObject *
decode_pairs(PyObject *module, PyObject *arg)
{
    (void)module;
    PyObject *pairs = PyList_New(0);
    if (pairs == NULL) {
        return NULL;
    }
    if (decode_to(arg, append_tuple, pairs, "decode_pairs") < 0) {
        Py_DECREF(pairs);
        return NULL;
    }
    return pairs;
}

/* decode_into(target, qs): group_pairs(target, decode_pairs(qs)) without the list of
 * pairs, returning how many pairs there were. ``target`` must be an empty dict; after an
 * error it is left empty. */
static PyObject *
decode_into(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2 || !PyDict_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "decode_into() needs a dict and a str");
        return NULL;
    }
    if (PyDict_GET_SIZE(args[0]) != 0) {
        PyErr_SetString(PyExc_ValueError, "decode_into() needs an empty dict");
        return NULL;
    }
    Py_ssize_t count = decode_to(args[1], group_into, args[0], "decode_into");
    if (count < 0) {
        PyDict_Clear(args[0]);
        return NULL;
    }
    return PyLong_FromSsize_t(count);
}

/* group_pairs(target, pairs): what MultiDict.__init__ does with a list of pairs. Each
 * (key, value) of the list ``pairs`` goes into the dict ``target`` as key -> [values...], in
 * order. Returns False, touching nothing, unless ``target`` is empty and every item is a
 * tuple of two (the caller then groups in Python, which takes any pair). On an error (an
 * unhashable key) ``target`` is left empty, as the Python grouping leaves it. */
static PyObject *
group_pairs(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2 || !PyDict_Check(args[0]) || !PyList_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "group_pairs() needs a dict and a list");
        return NULL;
    }
    PyObject *target = args[0];
    PyObject *pairs = args[1];
    if (PyDict_GET_SIZE(target) != 0) {
        Py_RETURN_FALSE;
    }
    Py_ssize_t n = PyList_GET_SIZE(pairs);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(pairs, i);
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2) {
            Py_RETURN_FALSE;
        }
    }
    /* A key's __hash__ or __eq__ is Python code and could change the list, so its size is
     * read again on every turn and each item checked again; the item is held meanwhile. */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(pairs); i++) {
        PyObject *item = PyList_GET_ITEM(pairs, i);
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_RuntimeError, "the pairs changed while they were grouped");
            goto error;
        }
        Py_INCREF(item);
        PyObject *key = PyTuple_GET_ITEM(item, 0);
        PyObject *value = PyTuple_GET_ITEM(item, 1);
        int failed = add_value(target, key, value);
        Py_DECREF(item);
        if (failed) {
            goto error;
        }
    }
    Py_RETURN_TRUE;

error:
    PyDict_Clear(target);
    return NULL;
}

static PyMethodDef speedups_methods[] = {
    {"decode_pairs", decode_pairs, METH_O,
     "Split an ASCII query string or urlencoded body into decoded (key, value) pairs."},
    {"decode_into", (PyCFunction)(void (*)(void))decode_into, METH_FASTCALL,
     "decode_pairs() grouped into an empty dict as key -> list of values; the pair count."},
    {"group_pairs", (PyCFunction)(void (*)(void))group_pairs, METH_FASTCALL,
     "Add (key, value) pairs to an empty dict as key -> list of values."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot speedups_slots[] = {
#ifdef Py_GIL_DISABLED
    /* No state is shared between calls, so a free-threaded build keeps the GIL off. */
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef speedups_module = {
    .m_base = PyModuleDef_HEAD_INIT,
    .m_name = "erlen._speedups",
    .m_doc = "Optional compiled helpers for erlen.urls and erlen.datastructures.",
    .m_size = 0,
    .m_methods = speedups_methods,
    .m_slots = speedups_slots,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModuleDef_Init(&speedups_module);
}
