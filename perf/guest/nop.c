/* nop: the program the fork+exec benchmark executes. It does nothing and exits 0. */
int main(void)
{
    return 0;
}
