// Where the credentials come from: the default chain (environment, web identity, profile,
// container, instance metadata), a role assumed on top of it, and which provider answered.
// Prints no secret. See docs/CREDENTIALS.md.
//
//   AWS_REGION=eu-west-1 ./example_credentials [profile] [role-arn]
#include <iostream>
#include <string>

#include <sqs/client.hpp>
#include <sqs/credentials.hpp>

namespace {

std::string last4(const std::string& id) {
  return id.size() > 4 ? id.substr(id.size() - 4) : id;
}

void show(const char* what, sqs::CredentialsProvider& provider) {
  auto c = provider.credentials();  // blocking: fine here, never on an event loop
  if (!c) {
    // Names the provider and what to fix, e.g. "SSO token expired ...: run `aws sso login`".
    std::cerr << what << ": " << c.error().to_string() << '\n';
    return;
  }
  std::cout << what << ": provider " << c->provider << ", access key ..." << last4(c->access_key_id)
            << (c->expiration ? ", temporary" : ", long-term") << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  const std::string profile = argc > 1 ? argv[1] : "";
  auto chain = sqs::make_default_credentials_provider(profile);
  show("default chain", *chain);

  if (argc > 2) {
    sqs::AssumeRoleOptions role;
    role.role_arn = argv[2];
    role.role_session_name = "example-credentials";
    auto assumed = sqs::make_assume_role_credentials_provider(chain, role);
    show("assumed role", *assumed);

    // A client signing with the role: refreshed in the background before it expires.
    sqs::ClientConfig config;
    config.profile = profile;
    config.credentials_provider = assumed;
    try {
      sqs::Client client(config);
      auto queues = client.list_queues({});
      if (queues)
        std::cout << "the role sees " << queues->queue_urls.size() << " queue(s)\n";
      else
        std::cerr << "list-queues: " << queues.error().to_string() << '\n';
    } catch (const sqs::Exception& e) {
      std::cerr << e.what() << '\n';  // e.g. no region
    }
  }
}
