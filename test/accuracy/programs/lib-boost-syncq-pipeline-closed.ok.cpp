// accuracy-family: stranded-consumer
// accuracy-origin: koinos/koinos-chain libraries/plugins/chain/reqhandler.cpp (commit 012a1be: submit() pushes into an input sync_bounded_queue and catches sync_queue_is_closed; a feed thread moves work into a work queue; work threads pull_front until sync_queue_is_closed; stop_threads() closes the queues last-to-first, joining each stage), re-expressed
// accuracy-shape: queue=boost::sync_bounded_queue spawner=std::thread producer=calling-thread consumer=member-thread exit=catch-closed wait=join
// accuracy-flags: -lboost_thread
//
// A two-stage request handler, written correctly: submit() pushes into the
// input queue (catching sync_queue_is_closed), a feed thread moves each item
// into the work queue and waits for it to be done, worker threads process
// items and turn every exception into an error result. The consumers leave
// only through the sync_queue_is_closed exception thrown by pull_front once
// their queue is closed, and stopThreads() closes the work queue, joins the
// workers, then closes the input queue and joins the feed thread.
#include <boost/thread/sync_bounded_queue.hpp>

#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct WorkItem {
  int height = 0;
  std::promise<std::string> workDone;
  std::future<std::string> workDoneFuture = workDone.get_future();
  std::promise<std::string> output;
};

class RequestHandler {
public:
  void startThreads(std::size_t workers) {
    for (std::size_t i = 0; i < workers; ++i)
      workThreads_.emplace_back([this] { workThreadMain(); });
    feedThread_ = std::thread([this] { feedThreadMain(); });
  }

  void stopThreads() {
    workQueue_.close(); // last stage first
    for (auto &t : workThreads_)
      t.join();
    workThreads_.clear();
    inputQueue_.close();
    feedThread_.join();
  }

  std::future<std::string> submit(int height) {
    auto work = std::make_shared<WorkItem>();
    work->height = height;
    std::future<std::string> result = work->output.get_future();
    try {
      inputQueue_.push_back(work);
    } catch (const boost::concurrent::sync_queue_is_closed &) {
      // shutting down: the caller's get() throws a broken promise
    }
    return result;
  }

private:
  // Blocks with an odd height fail validation.
  static std::string applyBlock(int height) {
    if (height % 2 == 1)
      throw std::runtime_error("unknown previous block");
    return "applied " + std::to_string(height);
  }

  void feedThreadMain() {
    for (;;) {
      std::shared_ptr<WorkItem> work;
      try {
        inputQueue_.pull_front(work);
        workQueue_.push_back(work);
      } catch (const boost::concurrent::sync_queue_is_closed &) {
        break;
      }
      work->output.set_value(work->workDoneFuture.get());
    }
  }

  void workThreadMain() {
    for (;;) {
      std::shared_ptr<WorkItem> work;
      try {
        workQueue_.pull_front(work);
      } catch (const boost::concurrent::sync_queue_is_closed &) {
        break;
      }
      std::optional<std::string> error;
      std::string result;
      try {
        result = applyBlock(work->height);
      } catch (const std::exception &e) {
        error = e.what();
      }
      work->workDone.set_value(error ? "error: " + *error : result);
    }
  }

  boost::concurrent::sync_bounded_queue<std::shared_ptr<WorkItem>> inputQueue_{16};
  boost::concurrent::sync_bounded_queue<std::shared_ptr<WorkItem>> workQueue_{16};
  std::thread feedThread_;
  std::vector<std::thread> workThreads_;
};

int main() {
  RequestHandler handler;
  handler.startThreads(3);
  std::vector<std::future<std::string>> results;
  for (int height = 1; height <= 40; ++height)
    results.push_back(handler.submit(height));
  int failed = 0;
  for (auto &r : results)
    if (r.get().rfind("error:", 0) == 0)
      ++failed;
  handler.stopThreads();
  std::printf("40 blocks submitted, %d rejected\n", failed);
  return 0;
}
