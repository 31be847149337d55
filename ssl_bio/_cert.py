"""Certificate decoding: the stdlib's ``getpeercert()`` dictionary format.

The layout follows CPython's ``_decode_certificate``: subject and issuer as
tuples of RDN tuples of (long name, UTF-8 value), version, serialNumber,
notBefore/notAfter, and subjectAltName, OCSP, caIssuers and
crlDistributionPoints only where the certificate has them.
"""

from ._binding import ffi, lib
from ._bio import reading_bio
from ._errors import error_from_queue

_NAME_MAXLEN = 256


def _new_memory_bio():
    """A new, empty memory BIO, freed with its last reference."""
    bio = lib.BIO_new(lib.BIO_s_mem())
    if bio == ffi.NULL:
        lib.ERR_clear_error()
        raise MemoryError()
    return ffi.gc(bio, lib.BIO_free)


def _bio_text(bio):
    """The first line in a memory BIO (what one OpenSSL print call wrote), as str.

    As the stdlib: one ``BIO_gets`` of at most 2047 bytes.
    """
    buf = ffi.new("char[]", 2048)
    length = lib.BIO_gets(bio, buf, 2047)
    if length < 0:
        raise error_from_queue("ssl_bio:getpeercert")
    return ffi.string(buf, length).decode("utf-8")


def _object_text(obj, no_name=0):
    buf = ffi.new("char[]", _NAME_MAXLEN)
    length = lib.OBJ_obj2txt(buf, _NAME_MAXLEN, obj, no_name)
    if length < 0:
        raise error_from_queue("ssl_bio:getpeercert")
    if length > _NAME_MAXLEN - 1:
        buf = ffi.new("char[]", length + 1)
        length = lib.OBJ_obj2txt(buf, length + 1, obj, no_name)
    return ffi.string(buf, length).decode("utf-8")


def _asn1_string_text(value):
    out = ffi.new("unsigned char **")
    length = lib.ASN1_STRING_to_UTF8(out, value)
    if length < 0:
        raise error_from_queue("ssl_bio:getpeercert")
    try:
        return ffi.unpack(ffi.cast("char *", out[0]), length).decode("utf-8")
    finally:
        lib.OPENSSL_free(out[0])


def _raw_string(value):
    """The bytes of an ASN1_STRING decoded as UTF-8, as the stdlib does for SAN."""
    data = lib.ASN1_STRING_get0_data(value)
    return ffi.unpack(ffi.cast("char *", data), lib.ASN1_STRING_length(value)).decode("utf-8")


def decode_name(name):
    """An X509_NAME as a tuple of RDNs, each a tuple of (attribute, value)."""
    rdns = []
    current = []
    level = None
    for index in range(lib.X509_NAME_entry_count(name)):
        entry = lib.X509_NAME_get_entry(name, index)
        entry_level = lib.X509_NAME_ENTRY_set(entry)
        if level is not None and entry_level != level:
            rdns.append(tuple(current))
            current = []
        level = entry_level
        attribute = _object_text(lib.X509_NAME_ENTRY_get_object(entry))
        current.append((attribute, _asn1_string_text(lib.X509_NAME_ENTRY_get_data(entry))))
    if current:
        rdns.append(tuple(current))
    return tuple(rdns)


def _ip_text(value):
    data = ffi.unpack(
        ffi.cast("unsigned char *", lib.ASN1_STRING_get0_data(value)),
        lib.ASN1_STRING_length(value),
    )
    if len(data) == 4:
        return "%d.%d.%d.%d" % tuple(data)
    if len(data) == 16:
        return ":".join("%X" % (data[i] << 8 | data[i + 1]) for i in range(0, 16, 2))
    return "<invalid>"


def _general_name(name, scratch):
    kind = ffi.new("int *")
    value = lib.GENERAL_NAME_get0_value(name, kind)
    kind = kind[0]
    if kind == lib.GEN_DIRNAME:
        return ("DirName", decode_name(ffi.cast("X509_NAME *", value)))
    if kind in (lib.GEN_EMAIL, lib.GEN_DNS, lib.GEN_URI):
        label = {lib.GEN_EMAIL: "email", lib.GEN_DNS: "DNS", lib.GEN_URI: "URI"}[kind]
        return (label, _raw_string(ffi.cast("ASN1_STRING *", value)))
    if kind == lib.GEN_IPADD:
        return ("IP Address", _ip_text(ffi.cast("ASN1_STRING *", value)))
    if kind == lib.GEN_RID:
        buf = ffi.new("char[]", 2048)
        length = lib.i2t_ASN1_OBJECT(buf, 2047, ffi.cast("ASN1_OBJECT *", value))
        if length < 0:
            raise error_from_queue("ssl_bio:getpeercert")
        text = "<INVALID>" if length >= 2047 else ffi.string(buf, length).decode("utf-8")
        return ("Registered ID", text)
    # othername, x400Address, ediPartyName: OpenSSL's printed "type:value" form.
    lib.BIO_reset(scratch)
    lib.GENERAL_NAME_print(scratch, name)
    text = _bio_text(scratch)
    label, sep, rest = text.partition(":")
    if not sep:
        raise ValueError(f"Invalid value {text[:200]}")
    return (label, rest)


def _subject_alt_names(cert, scratch):
    names = lib.X509_get_ext_d2i(cert, lib.NID_subject_alt_name, ffi.NULL, ffi.NULL)
    if names == ffi.NULL:
        lib.ERR_clear_error()
        return None
    names = ffi.cast("GENERAL_NAMES *", names)
    try:
        return tuple(
            _general_name(lib.sk_GENERAL_NAME_value(names, i), scratch)
            for i in range(lib.sk_GENERAL_NAME_num(names))
        )
    finally:
        lib.GENERAL_NAMES_free(names)


def _uri(general_name):
    """The URI of a GENERAL_NAME, or None when it is another kind of name."""
    kind = ffi.new("int *")
    value = lib.GENERAL_NAME_get0_value(general_name, kind)
    if kind[0] != lib.GEN_URI:
        return None
    return _raw_string(ffi.cast("ASN1_STRING *", value))


def _access_uris(cert, nid):
    info = lib.X509_get_ext_d2i(cert, lib.NID_info_access, ffi.NULL, ffi.NULL)
    if info == ffi.NULL:
        lib.ERR_clear_error()
        return None
    info = ffi.cast("AUTHORITY_INFO_ACCESS *", info)
    uris = []
    try:
        for i in range(lib.sk_ACCESS_DESCRIPTION_num(info)):
            description = lib.sk_ACCESS_DESCRIPTION_value(info, i)
            if lib.OBJ_obj2nid(description.method) == nid:
                uris.append(_uri(description.location))
    finally:
        lib.AUTHORITY_INFO_ACCESS_free(info)
    return tuple(uri for uri in uris if uri is not None) or None


def _crl_distribution_points(cert):
    points = lib.X509_get_ext_d2i(cert, lib.NID_crl_distribution_points, ffi.NULL, ffi.NULL)
    if points == ffi.NULL:
        lib.ERR_clear_error()
        return None
    points = ffi.cast("CRL_DIST_POINTS *", points)
    uris = []
    try:
        for i in range(lib.sk_DIST_POINT_num(points)):
            names = lib.ssl_bio_dist_point_full_name(lib.sk_DIST_POINT_value(points, i))
            if names != ffi.NULL:
                for j in range(lib.sk_GENERAL_NAME_num(names)):
                    uris.append(_uri(lib.sk_GENERAL_NAME_value(names, j)))
    finally:
        lib.CRL_DIST_POINTS_free(points)
    return tuple(uri for uri in uris if uri is not None) or None


def decode_certificate(cert):
    """The stdlib's ``getpeercert()`` dict for an ``X509 *``."""
    result = {
        "subject": decode_name(lib.X509_get_subject_name(cert)),
        "issuer": decode_name(lib.X509_get_issuer_name(cert)),
        "version": lib.X509_get_version(cert) + 1,
    }
    scratch = _new_memory_bio()
    lib.i2a_ASN1_INTEGER(scratch, lib.X509_get_serialNumber(cert))
    result["serialNumber"] = _bio_text(scratch)
    lib.BIO_reset(scratch)
    lib.ASN1_TIME_print(scratch, lib.X509_get0_notBefore(cert))
    result["notBefore"] = _bio_text(scratch)
    lib.BIO_reset(scratch)
    lib.ASN1_TIME_print(scratch, lib.X509_get0_notAfter(cert))
    result["notAfter"] = _bio_text(scratch)
    alt_names = _subject_alt_names(cert, scratch)
    if alt_names is not None:
        result["subjectAltName"] = alt_names
    for key, nid in (("OCSP", lib.NID_ad_OCSP), ("caIssuers", lib.NID_ad_ca_issuers)):
        uris = _access_uris(cert, nid)
        if uris is not None:
            result[key] = uris
    points = _crl_distribution_points(cert)
    if points is not None:
        result["crlDistributionPoints"] = points
    return result


def certificate_to_der(cert):
    """The DER encoding of an ``X509 *`` as bytes."""
    out = ffi.new("unsigned char **")
    length = lib.i2d_X509(cert, out)
    if length < 0:
        raise error_from_queue("ssl_bio:getpeercert")
    try:
        return ffi.unpack(ffi.cast("char *", out[0]), length)
    finally:
        lib.OPENSSL_free(out[0])


def _test_decode_cert(path):
    """Decode a PEM certificate file into the getpeercert() dict.

    The counterpart of the stdlib's private ``ssl._ssl._test_decode_cert``,
    which CPython's own test suite and ssl_bio's differential tests use.
    """
    with open(path, "rb") as f:
        data = f.read()
    bio = reading_bio(data)
    cert = lib.PEM_read_bio_X509(bio, ffi.NULL, ffi.NULL, ffi.NULL)
    if cert == ffi.NULL:
        raise error_from_queue("ssl_bio:_test_decode_cert", "Error decoding PEM-encoded file")
    try:
        return decode_certificate(cert)
    finally:
        lib.X509_free(cert)
