// Parsing of the shared config and credentials files, and where load() finds them.
#include <gtest/gtest.h>

#include "auth/shared_config.hpp"
#include "support/scoped_env.hpp"

namespace {

using sqs::auth::SharedConfig;

TEST(SharedConfig, ReadsProfilesFromBothFiles) {
  const auto cfg = SharedConfig::parse(
      "[default]\nregion = us-east-1\n\n[profile dev]\nregion=eu-west-1\noutput = json\n",
      "[default]\naws_access_key_id = AKID\n[dev]\naws_access_key_id=DEVKEY\n");
  EXPECT_EQ(cfg.get("default", "region"), "us-east-1");
  EXPECT_EQ(cfg.get("default", "aws_access_key_id"), "AKID");
  EXPECT_EQ(cfg.get("dev", "region"), "eu-west-1");
  EXPECT_EQ(cfg.get("dev", "output"), "json");
  EXPECT_EQ(cfg.get("dev", "aws_access_key_id"), "DEVKEY");
  EXPECT_EQ(cfg.profile("missing"), nullptr);
  EXPECT_EQ(cfg.get("missing", "region"), std::nullopt);
  EXPECT_EQ(cfg.get("dev", "missing"), std::nullopt);
}

TEST(SharedConfig, SectionNamingDiffersBetweenFiles) {
  // In the config file a profile needs the "profile " prefix; in the credentials file the
  // prefix is part of the name.
  const auto cfg = SharedConfig::parse("[dev]\nregion = a\n[profile   spaced ]\nregion = b\n",
                                       "[profile prod]\nregion = c\n");
  EXPECT_EQ(cfg.profile("dev"), nullptr);
  EXPECT_EQ(cfg.get("spaced", "region"), "b");
  EXPECT_EQ(cfg.profile("prod"), nullptr);
  EXPECT_EQ(cfg.get("profile prod", "region"), "c");
}

TEST(SharedConfig, ProfileDefaultIsTheDefaultProfile) {
  const auto cfg = SharedConfig::parse("[profile default]\nregion = x\n", "");
  EXPECT_EQ(cfg.get("default", "region"), "x");
}

TEST(SharedConfig, CredentialsFileWinsOverConfigFile) {
  const auto cfg = SharedConfig::parse("[default]\naws_access_key_id = FROM_CONFIG\nregion = r\n",
                                       "[default]\naws_access_key_id = FROM_CREDENTIALS\n");
  EXPECT_EQ(cfg.get("default", "aws_access_key_id"), "FROM_CREDENTIALS");
  EXPECT_EQ(cfg.get("default", "region"), "r");
}

TEST(SharedConfig, CommentsWhitespaceAndKeyCase) {
  const auto cfg = SharedConfig::parse(
      "# leading comment\n"
      "; another\n"
      "  [default]   # trailing comment on a section\n"
      "Region   =   us-west-2   # inline comment\n"
      "OUTPUT=text;not-a-comment\n"
      "cli_pager = ; comment only\n"
      "  # indented comment\n"
      "empty =\n",
      "");
  EXPECT_EQ(cfg.get("default", "region"), "us-west-2");
  EXPECT_EQ(cfg.get("default", "REGION"), "us-west-2");  // lookups are case-insensitive
  EXPECT_EQ(cfg.get("default", "output"), "text;not-a-comment");
  EXPECT_EQ(cfg.get("default", "cli_pager"), "");
  EXPECT_EQ(cfg.get("default", "empty"), "");
}

TEST(SharedConfig, IndentedPropertyRightAfterASectionIsAProperty) {
  const auto cfg = SharedConfig::parse("[default]\n  region = r\n\toutput = json\n", "");
  EXPECT_EQ(cfg.get("default", "region"), "r\noutput = json");  // the second one continues it
}

TEST(SharedConfig, WindowsLineEndings) {
  const auto cfg = SharedConfig::parse("[default]\r\nregion = us-east-2\r\n", "");
  EXPECT_EQ(cfg.get("default", "region"), "us-east-2");
}

TEST(SharedConfig, LaterValuesAndSectionsMerge) {
  const auto cfg = SharedConfig::parse(
      "[profile a]\nregion = one\noutput = json\n[profile b]\nregion = b\n[profile a]\nregion = "
      "two\n",
      "");
  EXPECT_EQ(cfg.get("a", "region"), "two");
  EXPECT_EQ(cfg.get("a", "output"), "json");
  EXPECT_EQ(cfg.get("b", "region"), "b");
}

TEST(SharedConfig, NestedSubSectionsDoNotBreakParsing) {
  const auto cfg = SharedConfig::parse(
      "[default]\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "  Addressing_Style = path\n"
      "region = eu-central-1\n"
      "note = first line\n"
      "  second line\n",
      "");
  EXPECT_EQ(cfg.get("default", "region"), "eu-central-1");
  EXPECT_EQ(cfg.get("default", "s3.max_concurrent_requests"), "20");
  EXPECT_EQ(cfg.get("default", "s3.addressing_style"), "path");
  EXPECT_EQ(cfg.get("default", "note"), "first line\nsecond line");
}

TEST(SharedConfig, MalformedLinesAreIgnored) {
  const auto cfg = SharedConfig::parse(
      "orphan = before any section\n"
      "[default\n"
      "lost = in malformed section\n"
      "[default]\n"
      "just some words\n"
      "   indented = under a non-property\n"
      "= no key\n"
      "region = ok\n"
      "[]\n"
      "x = y\n",
      "[ ]\nz = 1\n");
  EXPECT_EQ(cfg.get("default", "region"), "ok");
  EXPECT_EQ(cfg.get("default", "lost"), std::nullopt);
  EXPECT_EQ(cfg.get("default", "orphan"), std::nullopt);
  EXPECT_EQ(cfg.get("default", "indented"), std::nullopt);
  EXPECT_EQ(cfg.get("default", "x"), std::nullopt);
  EXPECT_EQ(cfg.profile(""), nullptr);
}

TEST(SharedConfig, ServiceSettingsFollowTheProfileServicesSection) {
  const auto cfg = SharedConfig::parse(
      "[default]\n"
      "services = local\n"
      "[profile other]\n"
      "services = missing\n"
      "[profile none]\n"
      "region = x\n"
      "[services local]\n"
      "sqs =\n"
      "  endpoint_url = http://127.0.0.1:4566\n"
      "s3 =\n"
      "  endpoint_url = http://127.0.0.1:9000\n"
      "[sso-session corp]\n"
      "sso_region = us-east-1\n",
      "");
  EXPECT_EQ(cfg.service_setting("default", "sqs", "endpoint_url"), "http://127.0.0.1:4566");
  EXPECT_EQ(cfg.service_setting("default", "SQS", "Endpoint_URL"), "http://127.0.0.1:4566");
  EXPECT_EQ(cfg.service_setting("default", "s3", "endpoint_url"), "http://127.0.0.1:9000");
  EXPECT_EQ(cfg.service_setting("default", "sns", "endpoint_url"), std::nullopt);
  EXPECT_EQ(cfg.service_setting("other", "sqs", "endpoint_url"), std::nullopt);
  EXPECT_EQ(cfg.service_setting("none", "sqs", "endpoint_url"), std::nullopt);
  EXPECT_EQ(cfg.service_setting("missing", "sqs", "endpoint_url"), std::nullopt);
  EXPECT_EQ(cfg.profile("corp"), nullptr);
  EXPECT_EQ(cfg.profile("local"), nullptr);
}

TEST(SharedConfig, LoadReadsTheFilesNamedByTheEnvironment) {
  sqs::test::ScopedEnv env;
  sqs::test::TempDir dir;
  env.clear_aws();
  env.set("AWS_CONFIG_FILE", dir.write("config", "[profile dev]\nregion = ap-south-1\n"));
  env.set("AWS_SHARED_CREDENTIALS_FILE", dir.write("creds", "[dev]\naws_access_key_id = K\n"));
  const auto cfg = SharedConfig::load();
  EXPECT_TRUE(cfg.config_found());
  EXPECT_TRUE(cfg.credentials_found());
  EXPECT_EQ(cfg.config_path(), (dir.path() / "config").string());
  EXPECT_EQ(cfg.get("dev", "region"), "ap-south-1");
  EXPECT_EQ(cfg.get("dev", "aws_access_key_id"), "K");
}

TEST(SharedConfig, LoadDefaultsToTheHomeDirectoryAndToleratesMissingFiles) {
  sqs::test::ScopedEnv env;
  sqs::test::TempDir dir;
  env.clear_aws();
  env.set("HOME", dir.path().string());
  EXPECT_EQ(SharedConfig::config_file_path(), (dir.path() / ".aws/config").string());
  EXPECT_EQ(SharedConfig::credentials_file_path(), (dir.path() / ".aws/credentials").string());
  auto cfg = SharedConfig::load();
  EXPECT_FALSE(cfg.config_found());
  EXPECT_FALSE(cfg.credentials_found());
  EXPECT_EQ(cfg.profile("default"), nullptr);

  std::filesystem::create_directories(dir.path() / ".aws");
  dir.write(".aws/config", "[default]\nregion = sa-east-1\n");
  env.set("AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere");  // '~' is expanded in variables too
  EXPECT_EQ(SharedConfig::credentials_file_path(), (dir.path() / "elsewhere").string());
  cfg = SharedConfig::load();
  EXPECT_EQ(cfg.get("default", "region"), "sa-east-1");
}

TEST(SharedConfig, ProfileNameComesFromArgumentThenEnvironment) {
  sqs::test::ScopedEnv env;
  env.unset("AWS_PROFILE");
  EXPECT_EQ(SharedConfig::profile_name(""), "default");
  EXPECT_EQ(SharedConfig::profile_name("given"), "given");
  env.set("AWS_PROFILE", "from-env");
  EXPECT_EQ(SharedConfig::profile_name(""), "from-env");
  EXPECT_EQ(SharedConfig::profile_name("given"), "given");
  env.set("AWS_PROFILE", "");  // empty counts as unset
  EXPECT_EQ(SharedConfig::profile_name(""), "default");
}

}  // namespace
