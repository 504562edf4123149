// RUN: %run_fix_test %s %t -- -- -isystem %S/../checks/Inputs
//
// Parser threads push into a queue that closes itself when destroyed; the
// jthreads are declared after it. The calling thread consumes, and its
// first store throws: unwinding joins the jthreads first, which wait in
// send() on the full queue, so the queue's destructor never runs (qlever
// issue #3092). The fix declares a closing guard after the threads, so it
// runs before their joins.
#include "queues.h"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

void store(const std::string &line) {
  throw std::runtime_error("cannot write '" + line.substr(0, 5) + "'");
}

void parseAll(const std::vector<std::string> &blocks) {
  Pipe<std::string> parsed(2);
  std::atomic<int> active{3};
  std::vector<std::jthread> parsers;
  for (int t = 0; t < 3; ++t)
    parsers.emplace_back([&] {
      for (const std::string &block : blocks)
        if (!parsed.send(block))
          return;
      if (active.fetch_sub(1) == 1)
        parsed.close();
    });
  while (std::optional<std::string> line = parsed.receive())
    store(*line);
}
// The guard goes after the threads and before the consumer's loop:
// CHECK-FIXES: {{^}}    });
// CHECK-FIXES-NEXT: {{^}}  struct CloseOnExit { decltype(parsed) &queue; ~CloseOnExit() { queue.close(); } } closeOnExit{parsed};
// CHECK-FIXES-NEXT: {{^}}  while (std::optional<std::string> line = parsed.receive())

int main() {
  std::vector<std::string> blocks(100, "block of triples");
  try {
    parseAll(blocks);
  } catch (const std::exception &e) {
    std::printf("index build failed: %s\n", e.what());
  }
  return 0;
}
