// Throwaway X.509 material for TLS tests, made with the OpenSSL API at run time (nothing to
// commit, nothing that expires in the repository): a CA and a server certificate it signs.
#pragma once

#include <string>
#include <vector>

namespace sqs::test {

struct TestCertificates {
  std::string ca_pem;           // the CA certificate: the trust anchor a client loads
  std::string server_cert_pem;  // server certificate (leaf), signed by the CA
  std::string server_key_pem;   // its private key
};

// A fresh CA and a server certificate valid for the given DNS names and IP addresses (its
// subjectAltName), ECDSA P-256, valid from an hour ago for a day. Throws on OpenSSL failure.
TestCertificates make_test_certificates(const std::vector<std::string>& dns_names,
                                        const std::vector<std::string>& ip_addresses);

// Writes `contents` to a new file under the temporary directory and returns its path; the file
// is removed by the destructor.
class TempFile {
 public:
  explicit TempFile(const std::string& contents);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sqs::test
