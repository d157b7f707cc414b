// Linked into every test binary (tests/CMakeLists.txt), outside the support library so that the
// linker cannot drop it: before any test runs, instance metadata is disabled and the container
// credentials variables are unset for the whole process, so that no default credential chain
// reaches for 169.254.169.254 or 169.254.170.2, whatever the shell that runs the binary (e.g.
// directly, without scripts/test.sh, or on a CI host that sets
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI). Tests of those providers point their endpoint
// variables at a scripted server on 127.0.0.1 (and ScopedEnv restores these values after them).
#include <stdlib.h>

namespace {

struct NoMetadataServices {
  NoMetadataServices() {
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    ::unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    ::unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  }
};
[[maybe_unused]] const NoMetadataServices kNoMetadataServices;

}  // namespace
