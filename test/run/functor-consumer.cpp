// RUN: %run_fix_test %s %t
//
// Uploaders are a functor, started in a loop with std::thread; each takes
// part numbers from a bounded channel and gives up when a part fails to
// upload, returning without a word to the splitter. When every uploader has
// given up, the splitter blocks forever in send(). The channel's close
// wakes a blocked send, which then reports false; the fix closes the
// channel on each uploader's way out and stops the splitter when send()
// says closed.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

class PartChannel {
public:
  explicit PartChannel(std::size_t depth) : depth_(depth) {}
  bool send(int part) {
    std::unique_lock<std::mutex> lk(m_);
    space_.wait(lk, [&] { return shut_ || parts_.size() < depth_; });
    if (shut_)
      return false;
    parts_.push_back(part);
    ready_.notify_one();
    return true;
  }
  std::optional<int> receive() {
    std::unique_lock<std::mutex> lk(m_);
    ready_.wait(lk, [&] { return shut_ || !parts_.empty(); });
    if (parts_.empty())
      return std::nullopt;
    int part = parts_.front();
    parts_.pop_front();
    space_.notify_one();
    return part;
  }
  void shut() {
    std::lock_guard<std::mutex> lk(m_);
    shut_ = true;
    ready_.notify_all();
    space_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable space_, ready_;
  std::deque<int> parts_;
  std::size_t depth_;
  bool shut_ = false;
};

static bool upload(int part) { return part % 50 != 13; } // part 13 fails

struct Uploader {
  PartChannel &parts;
  std::vector<int> &done;
  std::mutex &doneMutex;
  void operator()() const {
    while (std::optional<int> part = parts.receive()) {
      if (!upload(*part))
        return; // gives up without telling the splitter
      std::lock_guard<std::mutex> lk(doneMutex);
      done.push_back(*part);
    }
  }
};

static void split(int parts, int uploaders) {
  PartChannel channel(2);
  std::vector<int> done;
  std::mutex doneMutex;
  std::vector<std::thread> pool;
  for (int i = 0; i < uploaders; ++i)
    pool.emplace_back(Uploader{channel, done, doneMutex});
  for (int p = 0; p < parts; ++p)
    channel.send(p);
  channel.shut();
  for (std::thread &t : pool)
    t.join();
  std::printf("%d parts, %zu uploaded\n", parts, done.size());
}

int main() {
  split(10, 3);  // no failure: every part uploads
  split(400, 1); // the one uploader gives up at part 13
  return 0;
}
// CHECK-FIXES: {{^}}      if (!upload(*part)) {{{$}}
// CHECK-FIXES-NEXT: {{^}}        parts.shut();{{$}}
// CHECK-FIXES: {{^}}    if (!channel.send(p)) break;{{$}}
