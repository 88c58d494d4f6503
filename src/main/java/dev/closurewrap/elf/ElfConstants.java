package dev.closurewrap.elf;

/** Numbers from the ELF gABI and the GNU extensions that the reader and the editor use. */
public final class ElfConstants {
    private ElfConstants() {}

    public static final int EI_NIDENT = 16;
    public static final int ELFCLASS32 = 1;
    public static final int ELFCLASS64 = 2;
    public static final int ELFDATA2LSB = 1;
    public static final int ELFDATA2MSB = 2;

    public static final int ET_NONE = 0;
    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int ET_CORE = 4;

    /** e_phnum value meaning "the real count is in section 0's sh_info". */
    public static final int PN_XNUM = 0xffff;
    /** e_shstrndx value meaning "the real index is in section 0's sh_link". */
    public static final int SHN_XINDEX = 0xffff;
    public static final int SHN_UNDEF = 0;

    public static final long PT_NULL = 0;
    public static final long PT_LOAD = 1;
    public static final long PT_DYNAMIC = 2;
    public static final long PT_INTERP = 3;
    public static final long PT_NOTE = 4;
    public static final long PT_SHLIB = 5;
    public static final long PT_PHDR = 6;
    public static final long PT_TLS = 7;
    public static final long PT_GNU_EH_FRAME = 0x6474e550L;
    public static final long PT_GNU_STACK = 0x6474e551L;
    public static final long PT_GNU_RELRO = 0x6474e552L;
    public static final long PT_GNU_PROPERTY = 0x6474e553L;

    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    public static final long SHT_NULL = 0;
    public static final long SHT_PROGBITS = 1;
    public static final long SHT_SYMTAB = 2;
    public static final long SHT_STRTAB = 3;
    public static final long SHT_RELA = 4;
    public static final long SHT_HASH = 5;
    public static final long SHT_DYNAMIC = 6;
    public static final long SHT_NOTE = 7;
    public static final long SHT_NOBITS = 8;
    public static final long SHT_REL = 9;
    public static final long SHT_DYNSYM = 11;
    public static final long SHT_GNU_HASH = 0x6ffffff6L;
    public static final long SHT_GNU_VERDEF = 0x6ffffffdL;
    public static final long SHT_GNU_VERNEED = 0x6ffffffeL;
    public static final long SHT_GNU_VERSYM = 0x6fffffffL;

    public static final long SHF_WRITE = 1;
    public static final long SHF_ALLOC = 2;
    public static final long SHF_EXECINSTR = 4;

    public static final long DT_NULL = 0;
    public static final long DT_NEEDED = 1;
    public static final long DT_PLTRELSZ = 2;
    public static final long DT_PLTGOT = 3;
    public static final long DT_HASH = 4;
    public static final long DT_STRTAB = 5;
    public static final long DT_SYMTAB = 6;
    public static final long DT_RELA = 7;
    public static final long DT_RELASZ = 8;
    public static final long DT_RELAENT = 9;
    public static final long DT_STRSZ = 10;
    public static final long DT_SYMENT = 11;
    public static final long DT_INIT = 12;
    public static final long DT_FINI = 13;
    public static final long DT_SONAME = 14;
    public static final long DT_RPATH = 15;
    public static final long DT_SYMBOLIC = 16;
    public static final long DT_REL = 17;
    public static final long DT_RELSZ = 18;
    public static final long DT_RELENT = 19;
    public static final long DT_PLTREL = 20;
    public static final long DT_DEBUG = 21;
    public static final long DT_TEXTREL = 22;
    public static final long DT_JMPREL = 23;
    public static final long DT_BIND_NOW = 24;
    public static final long DT_INIT_ARRAY = 25;
    public static final long DT_FINI_ARRAY = 26;
    public static final long DT_INIT_ARRAYSZ = 27;
    public static final long DT_FINI_ARRAYSZ = 28;
    public static final long DT_RUNPATH = 29;
    public static final long DT_FLAGS = 30;
    public static final long DT_PREINIT_ARRAY = 32;
    public static final long DT_PREINIT_ARRAYSZ = 33;
    public static final long DT_SYMTAB_SHNDX = 34;
    public static final long DT_RELRSZ = 35;
    public static final long DT_RELR = 36;
    public static final long DT_RELRENT = 37;
    public static final long DT_GNU_HASH = 0x6ffffef5L;
    public static final long DT_VERSYM = 0x6ffffff0L;
    public static final long DT_RELACOUNT = 0x6ffffff9L;
    public static final long DT_RELCOUNT = 0x6ffffffaL;
    public static final long DT_FLAGS_1 = 0x6ffffffbL;
    public static final long DT_VERDEF = 0x6ffffffcL;
    public static final long DT_VERDEFNUM = 0x6ffffffdL;
    public static final long DT_VERNEED = 0x6ffffffeL;
    public static final long DT_VERNEEDNUM = 0x6fffffffL;
    public static final long DT_AUXILIARY = 0x7ffffffdL;
    public static final long DT_FILTER = 0x7fffffffL;

    public static final long DF_ORIGIN = 0x1;
    public static final long DF_SYMBOLIC = 0x2;
    public static final long DF_TEXTREL = 0x4;
    public static final long DF_BIND_NOW = 0x8;
    public static final long DF_STATIC_TLS = 0x10;

    public static final long DF_1_NOW = 0x1;
    public static final long DF_1_GLOBAL = 0x2;
    public static final long DF_1_GROUP = 0x4;
    public static final long DF_1_NODELETE = 0x8;
    public static final long DF_1_LOADFLTR = 0x10;
    public static final long DF_1_INITFIRST = 0x20;
    public static final long DF_1_NOOPEN = 0x40;
    public static final long DF_1_ORIGIN = 0x80;
    public static final long DF_1_DIRECT = 0x100;
    public static final long DF_1_INTERPOSE = 0x400;
    public static final long DF_1_NODEFLIB = 0x800;
    public static final long DF_1_NODUMP = 0x1000;
    public static final long DF_1_CONFALT = 0x2000;
    public static final long DF_1_ENDFILTEE = 0x4000;
    public static final long DF_1_DISPRELDNE = 0x8000;
    public static final long DF_1_DISPRELPND = 0x10000;
    public static final long DF_1_NODIRECT = 0x20000;
    public static final long DF_1_IGNMULDEF = 0x40000;
    public static final long DF_1_NOKSYMS = 0x80000;
    public static final long DF_1_NOHDR = 0x100000;
    public static final long DF_1_EDITED = 0x200000;
    public static final long DF_1_NORELOC = 0x400000;
    public static final long DF_1_SYMINTPOSE = 0x800000;
    public static final long DF_1_GLOBAUDIT = 0x1000000;
    public static final long DF_1_SINGLETON = 0x2000000;
    public static final long DF_1_STUB = 0x4000000;
    public static final long DF_1_PIE = 0x8000000;

    public static final int EM_NONE = 0;
    public static final int EM_SPARC = 2;
    public static final int EM_386 = 3;
    public static final int EM_68K = 4;
    public static final int EM_MIPS = 8;
    public static final int EM_PARISC = 15;
    public static final int EM_SPARC32PLUS = 18;
    public static final int EM_PPC = 20;
    public static final int EM_PPC64 = 21;
    public static final int EM_S390 = 22;
    public static final int EM_ARM = 40;
    public static final int EM_SH = 42;
    public static final int EM_SPARCV9 = 43;
    public static final int EM_IA_64 = 50;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;
    public static final int EM_RISCV = 243;
    public static final int EM_BPF = 247;
    public static final int EM_LOONGARCH = 258;
}
