// OpenSSL's libcrypto (Debian: libssl-dev), for SHA-256 only: EVP_Digest with EVP_sha256.
#include <openssl/evp.h>
