/* mjpeg-feed.c — plays a camera into a v4l2loopback device (the VM suite's
 * MJPEG webcam, tests/vm/guest-tests.sh): sets the device's output format to
 * MJPG, the fourcc UVC webcams report (GStreamer's v4l2sink would set JPEG),
 * and writes the given JPEG files, one write() per frame, in a loop at FPS
 * until killed. v4l2loopback stamps each frame as it is written and, with
 * exclusive_caps=1, becomes a capture device offering just this format once
 * the first frame is in. C, not Python: a Python start costs ~8 s in the
 * TCG guest.
 *
 * usage: mjpeg-feed DEVICE WIDTH HEIGHT FPS FRAME.jpg...
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct frame {
	char *data;
	size_t size;
};

static int
load(const char *path, struct frame *f)
{
	FILE *in = fopen(path, "rb");
	long size;

	if (in == NULL || fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) <= 0 ||
	    fseek(in, 0, SEEK_SET) != 0) {
		if (in != NULL)
			fclose(in);
		return -1;
	}
	f->size = (size_t)size;
	f->data = malloc(f->size);
	if (f->data == NULL || fread(f->data, 1, f->size, in) != f->size) {
		fclose(in);
		return -1;
	}
	fclose(in);
	return 0;
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	struct v4l2_format fmt;
	struct frame *frames;
	size_t biggest = 0;
	int n, fd, width, height, fps;
	long long period, next;

	if (argc < 6) {
		fprintf(stderr, "usage: mjpeg-feed DEVICE WIDTH HEIGHT FPS FRAME.jpg...\n");
		return 2;
	}
	width = atoi(argv[2]);
	height = atoi(argv[3]);
	fps = atoi(argv[4]);
	if (width <= 0 || height <= 0 || fps <= 0) {
		fprintf(stderr, "mjpeg-feed: bad size or rate\n");
		return 2;
	}
	n = argc - 5;
	frames = calloc((size_t)n, sizeof(*frames));
	for (int i = 0; frames != NULL && i < n; i++) {
		if (load(argv[5 + i], &frames[i]) != 0) {
			fprintf(stderr, "mjpeg-feed: cannot read %s\n", argv[5 + i]);
			return 1;
		}
		if (frames[i].size > biggest)
			biggest = frames[i].size;
	}
	fd = open(argv[1], O_RDWR);
	if (frames == NULL || fd < 0) {
		fprintf(stderr, "mjpeg-feed: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	fmt.fmt.pix.width = (unsigned)width;
	fmt.fmt.pix.height = (unsigned)height;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_MJPEG;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	fmt.fmt.pix.sizeimage = (unsigned)(biggest * 2);
	fmt.fmt.pix.colorspace = V4L2_COLORSPACE_SRGB; /* what uvcvideo reports for MJPEG */
	if (ioctl(fd, VIDIOC_S_FMT, &fmt) != 0) {
		fprintf(stderr, "mjpeg-feed: VIDIOC_S_FMT on %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_MJPEG || fmt.fmt.pix.sizeimage < biggest) {
		fprintf(stderr, "mjpeg-feed: %s took %.4s, %u bytes a frame\n", argv[1],
			(const char *)&fmt.fmt.pix.pixelformat, fmt.fmt.pix.sizeimage);
		return 1;
	}
	period = 1000000000LL / fps;
	next = now_ns();
	for (long long i = 0;; i++) {
		const struct frame *f = &frames[i % n];
		struct timespec ts;

		if (write(fd, f->data, f->size) != (ssize_t)f->size) {
			fprintf(stderr, "mjpeg-feed: write to %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		if (i == 0) {
			printf("mjpeg-feed: %s set to %ux%u MJPG, %d frames of at most %zu bytes "
			       "at %d fps\n",
			       argv[1], fmt.fmt.pix.width, fmt.fmt.pix.height, n, biggest, fps);
			fflush(stdout);
		}
		next += period;
		if (now_ns() - next > 1000000000LL) /* a stalled guest: no burst to catch up */
			next = now_ns();
		ts.tv_sec = next / 1000000000LL;
		ts.tv_nsec = next % 1000000000LL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
}
