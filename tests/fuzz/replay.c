/* replay: run a libFuzzer target's corpus and past crashes without libFuzzer.
 *
 * Linked with one fuzz_NAME.c into replay_NAME in the sanitizer build, it
 * feeds every file in the folders it is given to LLVMFuzzerTestOneInput and
 * prints TAP, one test per file.  A sanitizer report aborts the process, which
 * the test pipeline counts as a failure of the whole binary. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0) {
		(void)fclose(f);
		return -1;
	}
	long n = ftell(f);
	if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
		(void)fclose(f);
		return -1;
	}
	*data = malloc((size_t)n + 1);
	if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		free(*data);
		(void)fclose(f);
		return -1;
	}
	*size = (size_t)n;
	(void)fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	char **paths = NULL;
	size_t count = 0;
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		if (!d) {
			(void)fprintf(stderr, "replay: cannot open folder %s\n", argv[i]);
			return 1;
		}
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
			char *p = malloc(len);
			char **grown = realloc(paths, (count + 1) * sizeof *paths);
			if (!p || !grown) {
				(void)fprintf(stderr, "replay: out of memory\n");
				return 1;
			}
			paths = grown;
			(void)snprintf(p, len, "%s/%s", argv[i], e->d_name);
			paths[count++] = p;
		}
		(void)closedir(d);
	}
	qsort(paths, count, sizeof *paths, cmp);
	printf("1..%zu\n", count);
	int failed = 0;
	for (size_t i = 0; i < count; i++) {
		uint8_t *data = NULL;
		size_t size = 0;
		if (read_file(paths[i], &data, &size) != 0) {
			printf("not ok %zu - %s (unreadable)\n", i + 1, paths[i]);
			failed = 1;
		} else {
			(void)fflush(stdout);
			(void)LLVMFuzzerTestOneInput(data, size);
			printf("ok %zu - %s\n", i + 1, paths[i]);
		}
		free(data);
		free(paths[i]);
	}
	free(paths);
	return failed;
}
