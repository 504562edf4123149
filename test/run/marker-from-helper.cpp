// RUN: %run_fix_test %s %t
//
// A feed's own thread delivers records into an unbounded inbox; readers stop
// at an empty record, which a helper sends when the source runs dry. When
// the feed is stopped first, the thread leaves without it: the reader waits
// in next() for ever and its join hangs. The fix declares a guard first in
// the feed thread's body that sends the empty record when the thread ends;
// where the helper sent one already, the reader has stopped at the first.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

using Record = std::shared_ptr<const std::string>;

class Inbox {
public:
  void deliver(Record r) {
    {
      std::lock_guard<std::mutex> g(m_);
      items_.push_back(std::move(r));
    }
    ready_.notify_one();
  }
  Record next() {
    std::unique_lock<std::mutex> g(m_);
    ready_.wait(g, [this] { return !items_.empty(); });
    Record r = std::move(items_.front());
    items_.pop_front();
    return r;
  }

private:
  std::mutex m_;
  std::condition_variable ready_;
  std::deque<Record> items_;
};

class Feed {
public:
  explicit Feed(int records, bool runsDry) : records_(records), dry_(runsDry) {}
  ~Feed() {
    if (pump_.joinable())
      stop();
  }
  void attach() { inbox_ = std::make_unique<Inbox>(); }
  void start() {
    pump_ = std::thread([this] { pumpMain(); });
  }
  void stop() {
    {
      std::lock_guard<std::mutex> g(m_);
      stopping_ = true;
    }
    stopCv_.notify_one();
    pump_.join();
  }
  Record read() { return inbox_->next(); }

private:
  void pumpMain() {
    for (int i = 0; i < records_; ++i)
      onRecord("record " + std::to_string(i));
    if (dry_) {
      onSourceDry();
      return;
    }
    std::unique_lock<std::mutex> g(m_);
    stopCv_.wait(g, [this] { return stopping_; });
  }
  void onRecord(const std::string &text) {
    if (inbox_)
      inbox_->deliver(std::make_shared<const std::string>(text));
  }
  void onSourceDry() {
    if (inbox_)
      inbox_->deliver(Record{});
  }

  int records_;
  bool dry_;
  std::unique_ptr<Inbox> inbox_;
  std::thread pump_;
  std::mutex m_;
  std::condition_variable stopCv_;
  bool stopping_ = false;
};

int main() {
  Feed feed(4, /*runsDry=*/false);
  feed.attach();
  feed.start();
  std::thread reader([&feed] {
    int got = 0;
    while (auto r = feed.read())
      ++got;
    std::printf("reader: feed ended after %d records\n", got);
  });
  feed.stop();
  reader.join();
  return 0;
}
// CHECK-FIXES: {{^}}    pump_ = std::thread([this] { auto sendEndMarkers = [&] { if (inbox_) inbox_->deliver(Record{}); }; struct EndMarkersOnExit { decltype(sendEndMarkers) &send; ~EndMarkersOnExit() { send(); } } endMarkersOnExit{sendEndMarkers}; pumpMain(); });{{$}}
