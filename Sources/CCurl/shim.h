#ifndef OBJECTMAIL_CCURL_SHIM_H
#define OBJECTMAIL_CCURL_SHIM_H
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic and do not import
// into Swift: one typed wrapper per argument type.
#include <curl/curl.h>

typedef size_t (*objectmail_curl_data_cb)(char *buffer, size_t size, size_t nitems, void *userdata);
typedef int (*objectmail_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                            curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode objectmail_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode objectmail_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode objectmail_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode objectmail_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode objectmail_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode objectmail_easy_setopt_data_cb(CURL *h, CURLoption o, objectmail_curl_data_cb v) { return curl_easy_setopt(h, o, v); }
typedef int (*objectmail_curl_seek_cb)(void *userp, curl_off_t offset, int origin);
static inline CURLcode objectmail_easy_setopt_seek_cb(CURL *h, CURLoption o, objectmail_curl_seek_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode objectmail_easy_setopt_xferinfo_cb(CURL *h, CURLoption o, objectmail_curl_xferinfo_cb v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode objectmail_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode objectmail_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode objectmail_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode objectmail_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/// CURLMsg.data is a union: Swift cannot read its `result` member directly.
static inline CURLcode objectmail_msg_result(const CURLMsg *msg) { return msg->data.result; }

/// Return value of a read callback that aborts the transfer (a macro in curl.h).
static inline size_t objectmail_readfunc_abort(void) { return CURL_READFUNC_ABORT; }
#endif
