#define LDAP_DEPRECATED 0
#include <ldap.h>

/* Macros that do not import into Swift. */
static inline int cldap_scope_base(void) { return LDAP_SCOPE_BASE; }
static inline int cldap_scope_onelevel(void) { return LDAP_SCOPE_ONELEVEL; }
static inline int cldap_scope_subtree(void) { return LDAP_SCOPE_SUBTREE; }
static inline const char *cldap_sasl_simple(void) { return LDAP_SASL_SIMPLE; }
