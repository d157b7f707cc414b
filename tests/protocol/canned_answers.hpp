// The canned answers of the benchmark endpoint (/work/shared/bench/canned/nginx.conf), copied
// verbatim; "$bench_body" stands for the 1 KiB message body that nginx substitutes.
#pragma once

#include <string>
#include <string_view>

namespace sqs::test::canned {

// 'a' x 1024; its MD5 is kBenchBodyMd5.
inline std::string bench_body() {
  return std::string(1024, 'a');
}
inline constexpr std::string_view kBenchBodyMd5 = "c9a34cfc85d982698c6ac89f76071abd";

inline constexpr std::string_view kSendMessage =
    R"json({"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"})json";

inline constexpr std::string_view kSendMessageBatch =
    R"json({"Successful":[{"Id":"0","MessageId":"76c1042f-8a71-40d1-9714-acdde9cc378a","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"1","MessageId":"991b5191-6cfb-44b1-a7f1-cd2b9753f25f","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"2","MessageId":"592db7bf-7304-4a67-ad0c-679fed6945b4","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"3","MessageId":"6ad3be0e-2eb7-409f-b862-66b1888464e0","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"4","MessageId":"0fc5184c-15e0-44a3-a374-f190883a4c4b","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"5","MessageId":"69b77677-2a60-44e0-8146-a51555d3a70c","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"6","MessageId":"6ef58f3c-df9f-4a59-85d7-06eaf7fbbcd4","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"7","MessageId":"51051218-7cb5-4452-bad5-4592564df292","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"8","MessageId":"9a9e64bf-93e5-4fea-bdb3-084c0bdf6a8a","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"},{"Id":"9","MessageId":"115ff020-2580-4307-8fc3-85feeaf8cd79","MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd"}],"Failed":[]})json";

inline constexpr std::string_view kReceiveMessage =
    R"json({"Messages":[{"MessageId":"79c8c292-6b94-45b5-b498-82321e35049e","ReceiptHandle":"AQEBHE2Oz3WjT1LRgqGqNjVHf0A7g8HNAlIrCRZg1LsKnGO3ciADW18zOl2DFJX1+XwtiQW0GRBxXGxDXs7P+lUZzhYIR4M7obeJ+rflk6kA7USUrsXc/o8ATbOOy8kpDtYLQmVOhs4wTmeCmuoxXKMCV6uPdvF2wYBHNYjKU4T1NB/5J600","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"97006895-512c-43b8-85ee-21f7a4a08a97","ReceiptHandle":"AQEBOjtNyuCkQz3Dc4YC8wXcg8HNNyNl+PxgL5PmucqEhR9Ico6q90/oOfe+vKc1CxE3WPF5TMR97GKIxc2fPWM2X8vIyMt8jBEQMx5VYDVobbZpoJ/OfgYGlBPGwWLTSnLw0n3EWtBKEFE+h+rjq5tqnOO9JT1EOg5EyLfImO/D2BvwIX01","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"9baae642-c02f-4da6-a11f-ae9efd250f5d","ReceiptHandle":"AQEBXlYYUYNwJO96mgDdmOySOipQD1OjlXPlNRhPDW5co6Ny4yImuWQ9rXxApsUQ1wU1p8jhVkBkFTTeLr+5ZhOczI036TNh18Goar99lMLLDUtKdWqOEcWZMoFf/pTsijUMc6Sjiz0mb6UKUFqcJPw93iNt5gnBdvRtebGkYZZ/tlqpef02","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"c15aeead-d288-4538-88d1-e42560b9c4a2","ReceiptHandle":"AQEBWZMjS2wQCUyxIeiYo9yq2PuR7hTrTNWTuah+TCVOf/6tMu0r3SmwXYvSQZj0XZJ43A35VpYlQwV+gqSogkIiajXvX4TtFSRKrg0HRpNdPtvsqQDqXeRZlsGuJXbKsVb9twtDvWN4PtbJBlSXprd2TbYpx3YJ/UdQNhi3litGguHFIe03","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"940b2369-3831-4e7b-86e1-b379668fd495","ReceiptHandle":"AQEBqdOYPNMLVZAJcDt1wl6TVaNFHH/mISnmzT2KcxX8trJintjig+IaEkGqAQwe71NwaAV04N7bRJRx+4Cttd8BE9FbJqyDcIrJPTNE4cQ3WNjn3o1p7xsAYe3rotCmzkqDMZ9bphEpOajSzXFWJ27mBR76rDyMKwf3j4e5U9P+6Knm4m04","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"f0570911-3279-472d-97a2-822b61b0f18d","ReceiptHandle":"AQEBChngRaFXZE43JIeL9Ma8mvN3VamD0+gKGz5amM8TRaKgBQSUnUMWYVS/onSq0qz0TxKTthZS1kZdR7dftVs2Tn12UyIgdh7ajDmVS8101NbdHnWYpsRbUtIKUKdzb7YBynxvNo9dO9g44fy3dxxbcI52k8F+rPitbbYGhPUa6gKolP05","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"57b70bb2-9c8d-41c0-9c97-e653fec8b5d4","ReceiptHandle":"AQEB1P5igkP8yFyXsBst9wwtMGz5xuRuWkhQjv4i45UfGF+DEdlXo2BYrtWbSXc1ceEXqaqE4iB7UB/T/sTSwJDKTeuJkR6P/Shz0etmM+uqeEDnF9cy40qG/kiWT6klIaqKkrP1ERFp1YrN6/3JMSijyYofTqTER4B8wVeeJCmOdd+Grj06","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"c8692c0f-2b9c-4889-8568-248465c629e2","ReceiptHandle":"AQEBkQzL9TZz4Oky7ogYxSKoRqbVbOTBZX5kT2rMNZ18CrqQQ2zNmyeUcUlSbjf4aqMXRXhXDaaZLlcHlGSqLivrIWQylXQne7vmemNMgi22+lwCVqNi8V1f//XCnYYTZIJwFf5yn1Wy8h40m/WbENrgsKe8EPImWjWEtyFgUiqgNzeMMF07","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"04ca56f7-e6d4-44fa-b8c0-7d38d42cf95a","ReceiptHandle":"AQEBAxMH/Bj14IgVGJn5J5Ln4dL2Rsb09PRm9sWiEKGHhBqZCTDVICFtTHdFgYv0+NANly4TpWs5Y2AgwMISd8a3+jOYwAYkmcxLgtRKbvd3ctHoT4VWtEkFrMO1jyReBIxGMgOI/Jxrca8se0jxH7jxjR61xny4lB2NZCNCCOMNj+21ez08","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"},{"MessageId":"3566132d-b1b1-4152-ba2e-6ab183f61208","ReceiptHandle":"AQEBtLHoLO335A8023qS4X7wpOJ0wGmkfZePTfoRSlYF0T0rHRNGdNzAgOAH0Cv3dR9Xsb0M7fC74oXq66Xeur0axfMznp0DavLcaHhadmpqmkEZSJqge18mlhNnhSLritxn5q/5SMD+SNKhA+Vsi628D3OpQO3uwD5o1gRZvnLuU+N6ON09","MD5OfBody":"c9a34cfc85d982698c6ac89f76071abd","Body":"$bench_body"}]})json";

inline constexpr std::string_view kDeleteMessageBatch =
    R"json({"Successful":[{"Id":"0"},{"Id":"1"},{"Id":"2"},{"Id":"3"},{"Id":"4"},{"Id":"5"},{"Id":"6"},{"Id":"7"},{"Id":"8"},{"Id":"9"}],"Failed":[]})json";

inline constexpr std::string_view kChangeMessageVisibilityBatch =
    R"json({"Successful":[{"Id":"0"},{"Id":"1"},{"Id":"2"},{"Id":"3"},{"Id":"4"},{"Id":"5"},{"Id":"6"},{"Id":"7"},{"Id":"8"},{"Id":"9"}],"Failed":[]})json";

inline constexpr std::string_view kDeleteMessage = R"json({})json";

// The answer as nginx sends it: every "$bench_body" replaced by bench_body().
inline std::string expand(std::string_view answer) {
  constexpr std::string_view kVar = "$bench_body";
  std::string out;
  out.reserve(answer.size() + 10 * 1024);
  std::size_t pos = 0;
  for (std::size_t hit; (hit = answer.find(kVar, pos)) != std::string_view::npos;
       pos = hit + kVar.size()) {
    out.append(answer.substr(pos, hit - pos));
    out.append(bench_body());
  }
  out.append(answer.substr(pos));
  return out;
}

}  // namespace sqs::test::canned
