/* Certificate stores and certificate fields: what needs OpenSSL's store
   lock held, or a structure cffi cannot declare. */
#include "ssl_bio.h"

/* cert_store_stats(): counted with the store locked, as OpenSSL's own
   lookups may add to it from another thread. */
int ssl_bio_store_stats(X509_STORE *store, int *x509, int *crl, int *x509_ca)
{
    STACK_OF(X509_OBJECT) *objects;
    int i;
    *x509 = *crl = *x509_ca = 0;
    if (!X509_STORE_lock(store))
        return 0;
    objects = X509_STORE_get0_objects(store);
    for (i = 0; i < sk_X509_OBJECT_num(objects); i++) {
        X509_OBJECT *object = sk_X509_OBJECT_value(objects, i);
        switch (X509_OBJECT_get_type(object)) {
        case X509_LU_X509:
            (*x509)++;
            if (X509_check_ca(X509_OBJECT_get0_X509(object)))
                (*x509_ca)++;
            break;
        case X509_LU_CRL:
            (*crl)++;
            break;
        default:
            break;
        }
    }
    X509_STORE_unlock(store);
    return 1;
}

/* get_ca_certs(): a new stack holding a reference to each CA certificate of
   the store, so the caller can decode them after the lock is released.
   NULL on allocation failure. */
ssl_bio_x509_stack *ssl_bio_store_ca_certs(X509_STORE *store)
{
    STACK_OF(X509_OBJECT) *objects;
    STACK_OF(X509) *certs = sk_X509_new_null();
    int i;
    if (certs == NULL || !X509_STORE_lock(store)) {
        sk_X509_free(certs);
        return NULL;
    }
    objects = X509_STORE_get0_objects(store);
    for (i = 0; i < sk_X509_OBJECT_num(objects); i++) {
        X509_OBJECT *object = sk_X509_OBJECT_value(objects, i);
        X509 *cert;
        if (X509_OBJECT_get_type(object) != X509_LU_X509)
            continue;
        cert = X509_OBJECT_get0_X509(object);
        if (!X509_check_ca(cert))
            continue;
        if (!X509_up_ref(cert))
            break;
        if (!sk_X509_push(certs, cert)) {
            X509_free(cert);
            break;
        }
    }
    X509_STORE_unlock(store);
    if (i < sk_X509_OBJECT_num(objects)) {
        sk_X509_pop_free(certs, X509_free);
        return NULL;
    }
    return certs;
}

void ssl_bio_free_x509_stack(ssl_bio_x509_stack *certs)
{
    sk_X509_pop_free(certs, X509_free);
}

/* The URIs of a CRL distribution point live in an anonymous union that
   cffi cannot declare partially; NULL for an empty or relative name
   (CVE-2019-5010). */
GENERAL_NAMES *ssl_bio_dist_point_full_name(DIST_POINT *dp)
{
    if (dp->distpoint == NULL || dp->distpoint->type != 0)
        return NULL;
    return dp->distpoint->name.fullname;
}

/* A certificate or key that could not be read from memory fails with the
   error OpenSSL's file loaders queue (SSL_CTX_use_certificate_chain_file,
   SSL_CTX_use_PrivateKey_file), so that both forms of load_cert_chain()
   raise the same SSLError: "[SSL] PEM lib". */
void ssl_bio_push_pem_lib_error(void)
{
    ERR_raise(ERR_LIB_SSL, ERR_R_PEM_LIB);
}
