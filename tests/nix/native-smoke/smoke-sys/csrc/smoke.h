int smoke_add(int a, int b);
