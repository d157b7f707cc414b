#include "commands.hpp"

namespace sqsctl {

CLI::Option* add_queue_argument(CLI::App& command, std::string& queue) {
  return command
      .add_option("QUEUE", queue,
                  "The queue: its URL (http:// or https://) or its name, looked up with "
                  "GetQueueUrl")
      ->required();
}

CLI::Option* add_repeatable_option(CLI::App& command, const std::string& name,
                                   std::vector<std::string>& values,
                                   const std::string& description) {
  return command.add_option(name, values, description)->allow_extra_args(false);
}

}  // namespace sqsctl
