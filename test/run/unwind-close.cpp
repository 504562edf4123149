// RUN: %run_fix_test %s %t
//
// A log shipper frames lines into a bounded channel for an uploader task;
// an empty optional ends the stream, and cancel(std::exception_ptr) hands
// both sides an error. Framing an over-long line throws before the end
// marker is sent: the shipper's caller catches and logs it, then waits for
// the uploader, which waits for the marker forever. The fix cancels the
// channel with the exception as it leaves the framing function and rethrows
// it, so the uploader's recv() throws it and the wait returns.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

class Channel {
public:
  explicit Channel(std::size_t room) : room_(room) {}
  void send(std::optional<std::string> frame) {
    std::unique_lock<std::mutex> lk(m_);
    room_cv_.wait(lk, [&] { return error_ || frames_.size() < room_; });
    if (error_)
      std::rethrow_exception(error_);
    frames_.push_back(std::move(frame));
    data_cv_.notify_one();
  }
  std::optional<std::string> recv() {
    std::unique_lock<std::mutex> lk(m_);
    data_cv_.wait(lk, [&] { return error_ || !frames_.empty(); });
    if (error_)
      std::rethrow_exception(error_);
    std::optional<std::string> frame = std::move(frames_.front());
    frames_.pop_front();
    room_cv_.notify_one();
    return frame;
  }
  void cancel(std::exception_ptr why) {
    std::lock_guard<std::mutex> lk(m_);
    error_ = why;
    room_cv_.notify_all();
    data_cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable room_cv_, data_cv_;
  std::deque<std::optional<std::string>> frames_;
  std::size_t room_;
  std::exception_ptr error_;
};

struct Shipper {
  Channel out{2};
  std::future<std::size_t> uploaded;

  void begin() {
    uploaded = std::async(std::launch::async, [this] {
      std::size_t bytes = 0;
      while (std::optional<std::string> frame = out.recv())
        bytes += frame->size();
      return bytes;
    });
  }

  void ship(const std::vector<std::string> &lines) {
    for (const std::string &line : lines) {
      if (line.size() > 16)
        throw std::length_error("line too long: " + line);
      out.send("[" + line + "]");
    }
    out.send(std::nullopt);
  }
};

static int run(const std::vector<std::string> &lines) {
  Shipper s;
  s.begin();
  try {
    s.ship(lines);
  } catch (const std::exception &e) {
    std::printf("ship failed: %s\n", e.what());
  }
  try {
    std::printf("uploaded %zu bytes\n", s.uploaded.get());
  } catch (const std::exception &e) {
    std::printf("upload cancelled: %s\n", e.what());
  }
  return 0;
}

int main() {
  // The success path: same output before and after the fix.
  run({"alpha", "beta", "gamma", "delta", "epsilon"});
  // One line too many bytes: the shipper stops before its end marker.
  run({"alpha", "beta", "a line that is far too long", "delta"});
  return 0;
}
// CHECK-FIXES: {{^}}    try {{{$}}
// CHECK-FIXES: {{^}}      out.cancel(std::current_exception());{{$}}
// CHECK-FIXES-NEXT: {{^}}      throw;{{$}}
