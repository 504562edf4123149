// RUN: %run_fix_test %s %t
//
// An importer starts its workers in its constructor and joins them in its
// destructor; they stop on a job marked `last`, one per worker, which the
// user's call of done() sends. A malformed line makes feed() throw: done()
// never runs, and unwinding destroys the importer, whose joins wait for
// workers that wait for their last job. The fix sends the last jobs from
// the destructor, before the joins, when done() did not.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct Job {
  std::string line;
  bool last = false;
};

class Channel {
public:
  explicit Channel(std::size_t room) : room_(room) {}
  void send(Job job) {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return jobs_.size() < room_; });
    jobs_.push_back(std::move(job));
    ready_.notify_one();
  }
  Job receive() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !jobs_.empty(); });
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    space_.notify_one();
    return job;
  }

private:
  std::mutex mu_;
  std::condition_variable space_, ready_;
  std::deque<Job> jobs_;
  std::size_t room_;
};

class Importer {
public:
  explicit Importer(int workers) : channel_(4) {
    for (int i = 0; i < workers; ++i)
      workers_.emplace_back([this] { work(); });
  }
  ~Importer() {
    for (std::thread &w : workers_)
      w.join();
  }
  void feed(const std::vector<std::string> &lines) {
    for (const std::string &line : lines) {
      if (line.find('=') == std::string::npos)
        throw std::invalid_argument("no '=' in \"" + line + "\"");
      channel_.send(Job{line});
    }
  }
  void done() {
    for (std::size_t i = 0; i < workers_.size(); ++i)
      channel_.send(Job{"", true});
  }

private:
  void work() {
    for (;;) {
      Job job = channel_.receive();
      if (job.last)
        return;
      std::lock_guard<std::mutex> lock(countMu_);
      ++imported_;
    }
  }

  Channel channel_;
  std::mutex countMu_;
  long imported_ = 0;
  std::vector<std::thread> workers_;
};

int main() {
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i)
    lines.push_back("key" + std::to_string(i) + "=value");
  lines[3] = "garbage";
  try {
    Importer importer(3);
    importer.feed(lines);
    importer.done();
  } catch (const std::exception &e) {
    std::printf("import failed: %s\n", e.what());
  }
  return 0;
}
// CHECK-FIXES: if (!endMarkersSent_) done();
// CHECK-FIXES: endMarkersSent_ = true;
// CHECK-FIXES: bool endMarkersSent_ = false;
