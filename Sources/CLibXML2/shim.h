#ifndef OBJECTMAIL_CLIBXML2_SHIM_H
#define OBJECTMAIL_CLIBXML2_SHIM_H
// Debian builds libxml2 with ICU; with ICU's headers visible next to Foundation, clean builds fail
// flakily with "'UErrorCode' has different definitions". We never use libxml2's ICU encoders.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>

/// xmlFree is a global function-pointer variable, which Swift 6 treats as unsafe shared state.
static inline void objectmail_xml_free(void *p) { xmlFree(p); }
#endif
