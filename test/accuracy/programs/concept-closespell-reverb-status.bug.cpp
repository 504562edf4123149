// accuracy-family: stranded-consumer
// accuracy-origin: google-deepmind/reverb reverb/cc/support/queue.h (bounded Queue: Reserve()/PushBatch(), PopBatch() returning absl::Status — CancelledError once Close()d, ResourceExhaustedError after SetLastItemPushed()), re-expressed with a hand-written status enum
// accuracy-shape: queue=cv-hand-written pop-closed=status-enum close=Close+SetLastItemPushed spawner=std::thread-member producer=calling-thread-member consumer=member-function exit=error-return wait=destructor
//
// A streamer writes items on the calling thread; a member thread pops them in
// batches and sends them. The pop reports the end through a status code, not
// a bool. The writer meets an item with a bad signature and returns its error
// status without telling the queue: the sender waits in PopBatch() for items
// that never come, and the streamer's destructor joins it forever.
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

enum class StatusCode { kOk, kCancelled, kResourceExhausted, kInvalidArgument };

struct Status {
  StatusCode code = StatusCode::kOk;
  std::string message;
  bool ok() const { return code == StatusCode::kOk; }
};

template <typename T> class ItemQueue {
public:
  explicit ItemQueue(int capacity) : buffer_(capacity) {}

  // Unblocks every pending and future Reserve() and PopBatch().
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }

  // No more pushes; the queue closes itself once drained.
  void SetLastItemPushed() {
    std::lock_guard<std::mutex> lock(mu_);
    last_item_pushed_ = true;
    if (pushes_ == pops_)
      closed_ = true;
    changed_.notify_all();
  }

  bool Reserve(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] {
      return closed_ || last_item_pushed_ ||
             pushes_ + reserved_ - pops_ + count <=
                 static_cast<int64_t>(buffer_.size());
    });
    reserved_ += count;
    return !(closed_ || last_item_pushed_);
  }

  void PushBatch(std::vector<T> items) {
    std::lock_guard<std::mutex> lock(mu_);
    reserved_ -= static_cast<int64_t>(items.size());
    for (T &item : items)
      buffer_[pushes_++ % buffer_.size()] = std::move(item);
    changed_.notify_all();
  }

  Status PopBatch(int batch_size, std::vector<T> *out) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] {
      return closed_ || last_item_pushed_ || pushes_ - pops_ >= batch_size;
    });
    if (closed_)
      return {StatusCode::kCancelled, "queue is closed"};
    if (pushes_ - pops_ < batch_size)
      return {StatusCode::kResourceExhausted, "last item pushed"};
    for (int i = 0; i < batch_size; ++i)
      out->push_back(std::move(buffer_[pops_++ % buffer_.size()]));
    if (pops_ == pushes_ && last_item_pushed_)
      closed_ = true;
    changed_.notify_all();
    return {};
  }

private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<T> buffer_;
  int64_t pushes_ = 0, pops_ = 0, reserved_ = 0;
  bool closed_ = false;
  bool last_item_pushed_ = false;
};

struct Item {
  int key = 0;
  std::string signature;
};

class TrajectoryStreamer {
public:
  TrajectoryStreamer() : sender_([this] { SendLoop(); }) {}
  ~TrajectoryStreamer() { sender_.join(); }

  // Runs on the calling thread.
  Status Write(const std::vector<Item> &items) {
    for (const Item &item : items) {
      if (item.signature.empty())
        return {StatusCode::kInvalidArgument,
                "item " + std::to_string(item.key) + " has no signature"};
      if (!queue_.Reserve(1))
        return {StatusCode::kCancelled, "streamer closed"};
      queue_.PushBatch({item});
    }
    queue_.SetLastItemPushed();
    return {};
  }

private:
  static constexpr int kBatch = 4;

  void SendLoop() {
    for (;;) {
      std::vector<Item> batch;
      Status status = queue_.PopBatch(kBatch, &batch); // accuracy: blocks
      if (!status.ok())
        break;
      sent_ += static_cast<int>(batch.size());
    }
  }

  ItemQueue<Item> queue_{8};
  int sent_ = 0;
  std::thread sender_;
};

int main() {
  std::vector<Item> items;
  for (int i = 0; i < 40; ++i)
    items.push_back({i, i == 10 ? "" : "sig"});
  TrajectoryStreamer streamer;
  Status status = streamer.Write(items);
  if (!status.ok())
    std::printf("error: %s\n", status.message.c_str());
  return 0;
}
